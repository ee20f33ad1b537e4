using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using Sparsify.Core.Execution;
using Sparsify.Core.Ir;
using Sparsify.Training.Models;
using Sparsify.Core.Onnx;

namespace Sparsify.Benchmarks;

/// <summary>
/// Dense inference, batch 1, 2 threads each: Sparsify's reference executor against ONNX Runtime
/// (the baseline) on the same model and input, in the same process.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(warmupCount: 3, iterationCount: 15)]
public class ReferenceExecutorBenchmarks
{
    private ReferenceExecutor _executor = null!;
    private InferenceSession _session = null!;
    private OrtValue _ortInput = null!;
    private RunOptions _runOptions = null!;
    private Tensor _input = null!;

    /// <summary>The model: the real ResNet18, or a builder model with seeded weights.</summary>
    [Params("ResNet18", "AlexNet")]
    public string Model { get; set; } = "ResNet18";

    [GlobalSetup]
    public void Setup()
    {
        ModelGraph graph;
        byte[] onnx;
        if (Model == "ResNet18")
        {
            onnx = File.ReadAllBytes(BenchmarkModels.ResNet18Path);
            graph = OnnxModel.Load(BenchmarkModels.ResNet18Path);
        }
        else
        {
            graph = ModelBuilders.Build(Model);
            onnx = OnnxModel.ToBytes(graph);
        }

        _input = BenchmarkModels.SeededInput(graph.Inputs[0].Shape, seed: 1);
        _executor = new ReferenceExecutor(graph, new ExecutorOptions { MaxDegreeOfParallelism = 2 });
        _session = new InferenceSession(onnx, new SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1 });
        _ortInput = OrtValue.CreateTensorValueFromMemory(_input.Data, _input.Shape.Dims.ToArray().Select(d => (long)d).ToArray());
        _runOptions = new RunOptions();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ortInput.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ONNX Runtime")]
    public float OnnxRuntime()
    {
        using var outputs = _session.Run(_runOptions, [_session.InputNames[0]], [_ortInput], [_session.OutputNames[0]]);
        return outputs[0].GetTensorDataAsSpan<float>()[0];
    }

    [Benchmark(Description = "Reference executor")]
    public float ReferenceExecutor() => _executor.Run([_input])[0].Data[0];
}
