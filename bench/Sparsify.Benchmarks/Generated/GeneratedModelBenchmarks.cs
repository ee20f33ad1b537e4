using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using Sparsify.Core.Compilation;
using Sparsify.Core.Execution;
using Sparsify.Core.Ir;
using Sparsify.Core.Onnx;
using Sparsify.Training.Models;

namespace Sparsify.Benchmarks.Generated;

/// <summary>
/// The generated code against ONNX Runtime on the dense model: batch 1, 2 threads each, the same seeded
/// input, in the same process (in-process toolchain). Each <see cref="ModelCase"/> is a model at a uniform
/// sparsity of every Conv and Gemm layer but the first convolution (scheme <c>locality</c>, pruned by
/// magnitude, as a build with <c>Sparsity="X"</c> and no photos does), or ResNet18 planned to a fidelity
/// target on calibration photos (as the main job builds it). ResNet18's rows also measure fidelity on real
/// held-out photos (<see cref="SamplePhotos"/>). Run with <see cref="FmaPeakBenchmarks"/> so the CPU's peak is
/// measured in the same run; <see cref="CpuResultsExporter"/> writes the figures to docs/results/cpu.json.
/// </summary>
[MedianColumn]
[Config(typeof(InProcessJobConfig))]
public class GeneratedModelBenchmarks
{
    private const int Threads = 2;
    private static readonly double[] Sparsities = [0.0, 0.5, 0.7, 0.9];
    private static readonly double[] FidelityTargets = [0.95, 0.90];

    // The torchvision models of the zoo that the benchmark covers, when SPARSIFY_ZOO names the folder
    // scripts/export-torch-fixtures.py --zoo exported to.
    private static readonly string[] ZooModels = ["resnet50", "mobilenet_v2", "efficientnet_b0"];

    private float[] _input = [];
    private float[] _output = [];
    private ModelRun _run = null!;
    private InferenceSession? _session;
    private OrtValue? _ortInput;
    private RunOptions? _runOptions;
    private string _inputName = string.Empty, _outputName = string.Empty;

    /// <summary>The model and how it is sparsified.</summary>
    [ParamsSource(nameof(Cases))]
    public ModelCase Case { get; set; } = new("ResNet18", 0, null);

    /// <summary>
    /// ResNet18 (real weights) at each sparsity and, with photos, to each fidelity target at most 90% sparse;
    /// AlexNet (paper shapes, seeded weights); and the zoo's models where their folder is given. <c>SPARSIFY_CASES</c>
    /// (';'-separated names as printed, e.g. <c>ResNet18 at 0.9;resnet50 at 0</c>) keeps only those.
    /// </summary>
    public static IEnumerable<ModelCase> Cases()
    {
        var only = Environment.GetEnvironmentVariable("SPARSIFY_CASES")?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return AllCases().Where(c => only is not { Length: > 0 } || only.Contains(c.ToString(), StringComparer.OrdinalIgnoreCase));
    }

    private static IEnumerable<ModelCase> AllCases()
    {
        foreach (var sparsity in Sparsities)
        {
            yield return new ModelCase("ResNet18", sparsity, null);
        }

        if (SamplePhotos.Folder is not null)
        {
            foreach (var target in FidelityTargets)
            {
                yield return new ModelCase("ResNet18", 0.9, target);
            }
        }

        var zoo = Environment.GetEnvironmentVariable("SPARSIFY_ZOO");
        foreach (var model in new[] { "AlexNet" }.Concat(ZooModels))
        {
            if (model == "AlexNet" || (zoo is { Length: > 0 } && File.Exists(ZooPath(zoo, model))))
            {
                foreach (var sparsity in Sparsities)
                {
                    yield return new ModelCase(model, sparsity, null);
                }
            }
        }
    }

    [GlobalSetup(Target = nameof(Sparsify))]
    public void SetupSparsify()
    {
        var graph = Load(Case.Model);
        var options = new CompileOptions { Scheme = "locality", Sparsity = Case.Sparsity };
        if (Case.FidelityTarget is { } target)
        {
            options = options with { Calibration = SamplePhotos.Calibration(SamplePhotos.Folder!), FidelityTarget = target };
        }

        var watch = Stopwatch.StartNew();
        var compiled = ModelCompiler.Compile(graph, options);
        var modelCompile = watch.Elapsed;
        var build = GeneratedModelCompiler.Build(compiled, Threads);
        _run = build.Run;
        _input = Input(graph);
        _output = new float[graph.Outputs.Sum(o => o.Shape.Skip(1).Aggregate(1, (a, b) => a * b))];
        CpuResults.Record(Case, NonZeroMacs(graph), modelCompile, HeldOutCosine(graph), build);
    }

    [GlobalSetup(Target = nameof(OnnxRuntimeDense))]
    public void SetupOnnxRuntime()
    {
        var graph = Load(Case.Model);
        _input = Input(graph);
        _session = OrtSession(Case.Model, graph);
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

    internal static ModelGraph Load(string model) => model switch
    {
        "ResNet18" => OnnxModel.Load(BenchmarkModels.ResNet18Path),
        "AlexNet" => ModelBuilders.Build(model),
        _ => OnnxModel.Load(ZooPath(Environment.GetEnvironmentVariable("SPARSIFY_ZOO")!, model)),
    };

    private static string ZooPath(string folder, string model) => Path.Combine(folder, model + ".onnx");

    private static InferenceSession OrtSession(string model, ModelGraph graph)
    {
        var onnx = model switch
        {
            "ResNet18" => File.ReadAllBytes(BenchmarkModels.ResNet18Path),
            "AlexNet" => OnnxModel.ToBytes(graph),
            _ => File.ReadAllBytes(ZooPath(Environment.GetEnvironmentVariable("SPARSIFY_ZOO")!, model)),
        };
        return new InferenceSession(onnx, new SessionOptions { IntraOpNumThreads = Threads, InterOpNumThreads = 1 });
    }

    /// <summary>
    /// ResNet18's mean output cosine, generated code against ONNX Runtime's dense model, on the held-out photos;
    /// null for other models (seeded weights: no fidelity to keep) or without photos.
    /// </summary>
    private double? HeldOutCosine(ModelGraph graph)
    {
        if (Case.Model != "ResNet18" || SamplePhotos.Folder is not { } folder)
        {
            return null;
        }

        using var session = OrtSession(Case.Model, graph);
        using var runOptions = new RunOptions();
        var dense = new List<float[]>();
        var generated = new List<float[]>();
        foreach (var photo in SamplePhotos.HeldOut(folder, graph.Inputs[0].Shape))
        {
            using var input = OrtValue.CreateTensorValueFromMemory(photo, graph.Inputs[0].Shape.Select(d => (long)d).ToArray());
            using var outputs = session.Run(runOptions, [session.InputNames[0]], [input], [session.OutputNames[0]]);
            dense.Add(outputs[0].GetTensorDataAsSpan<float>().ToArray());
            var output = new float[dense[^1].Length];
            _run(photo, output);
            generated.Add(output);
        }

        return OutputFidelity.Compare(dense, generated).MeanCosine;
    }

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

/// <summary>One benchmarked model build: a model, its sparsity (the upper bound under a fidelity target), and the target if any.</summary>
public sealed record ModelCase(string Model, double Sparsity, double? FidelityTarget)
{
    /// <inheritdoc />
    public override string ToString() => FidelityTarget is { } target
        ? string.Create(CultureInfo.InvariantCulture, $"{Model} to {target} (<= {Sparsity})")
        : string.Create(CultureInfo.InvariantCulture, $"{Model} at {Sparsity}");
}
