using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using Sparsify.Core.Compilation;
using Sparsify.Core.Ir;
using Sparsify.Training.Models;
using Sparsify.Core.Onnx;

namespace Sparsify.Benchmarks.Generated;

/// <summary>
/// The generated code against ONNX Runtime on the dense model: batch 1, 2 threads each, the same seeded
/// input, in the same process (in-process toolchain), at 0/50/70/90/95% sparsity of every Conv and Gemm
/// layer but the first convolution (scheme <c>locality</c>, uniform target, as a build with
/// <c>Sparsity="X"</c> does). Run with <see cref="FmaPeakBenchmarks"/> so the CPU's peak is measured in
/// the same run; <see cref="CpuResultsExporter"/> writes the figures to docs/results/cpu.json.
/// </summary>
[MedianColumn]
[Config(typeof(InProcessJobConfig))]
public class GeneratedModelBenchmarks
{
    private const int Threads = 2;
    private float[] _input = [];
    private float[] _output = [];
    private ModelRun _run = null!;
    private InferenceSession? _session;
    private OrtValue? _ortInput;
    private RunOptions? _runOptions;
    private string _inputName = string.Empty, _outputName = string.Empty;

    /// <summary>The model: the real ResNet18, or AlexNet (paper shapes, seeded weights).</summary>
    [Params("ResNet18", "AlexNet")]
    public string Model { get; set; } = "ResNet18";

    /// <summary>Fraction of the weights removed from every Conv and Gemm layer but the first convolution.</summary>
    [Params(0.0, 0.5, 0.7, 0.9, 0.95)]
    public double Sparsity { get; set; }

    [GlobalSetup(Target = nameof(Sparsify))]
    public void SetupSparsify()
    {
        var graph = Load(Model);
        var compiled = ModelCompiler.Compile(graph, new CompileOptions { Scheme = "locality", Sparsity = Sparsity });
        var build = GeneratedModelCompiler.Build(compiled, Threads);
        _run = build.Run;
        _input = Input(graph);
        _output = new float[graph.Outputs.Sum(o => o.Shape.Skip(1).Aggregate(1, (a, b) => a * b))];
        CpuResults.Record(Model, Sparsity, NonZeroMacs(graph), build);
    }

    [GlobalSetup(Target = nameof(OnnxRuntimeDense))]
    public void SetupOnnxRuntime()
    {
        var graph = Load(Model);
        _input = Input(graph);
        var onnx = Model == "ResNet18" ? File.ReadAllBytes(BenchmarkModels.ResNet18Path) : OnnxModel.ToBytes(graph);
        _session = new InferenceSession(onnx, new SessionOptions { IntraOpNumThreads = Threads, InterOpNumThreads = 1 });
        _inputName = _session.InputNames[0];
        _outputName = _session.OutputNames[0];
        _ortInput = OrtValue.CreateTensorValueFromMemory(_input, graph.Inputs[0].Shape.Select(d => (long)d).ToArray());
        _runOptions = new RunOptions();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ortInput?.Dispose();
        _runOptions?.Dispose();
        _session?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ONNX Runtime dense")]
    public float OnnxRuntimeDense()
    {
        using var outputs = _session!.Run(_runOptions!, [_inputName], [_ortInput!], [_outputName]);
        return outputs[0].GetTensorDataAsSpan<float>()[0];
    }

    [Benchmark(Description = "Sparsify generated")]
    public float Sparsify()
    {
        _run(_input, _output);
        return _output[0];
    }

    internal static ModelGraph Load(string model) =>
        model == "ResNet18" ? OnnxModel.Load(BenchmarkModels.ResNet18Path) : ModelBuilders.Build(model);

    private static float[] Input(ModelGraph graph) => BenchmarkModels.SeededInput(graph.Inputs[0].Shape, seed: 1).Data;

    // Multiply-accumulates on kept weights: each kept weight of a conv once per output pixel, of a Gemm once.
    internal static long NonZeroMacs(ModelGraph graph) => graph.Layers.Sum(layer => layer switch
    {
        Sparsify.Core.Ir.Layers.ConvLayer conv => CountNonZeros(conv.Weights.Data) * (long)graph.ShapeOf(layer.Output)[2] * graph.ShapeOf(layer.Output)[3],
        Sparsify.Core.Ir.Layers.FullyConnectedLayer fc => CountNonZeros(fc.Weights.Data),
        _ => 0L,
    });

    private static long CountNonZeros(float[] values) => values.LongCount(v => v != 0f);
}
