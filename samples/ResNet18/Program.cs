// ResNet18 compiled at build time by Sparsify.Sdk (the SparsifyModel item in ResNet18.csproj): prints the
// generated layer table, times the generated sparse code beside ONNX Runtime running the dense model in
// the same process (2 threads each), and says how close the sparse outputs stay to the dense ones.
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.ML.OnnxRuntime;
using Sparsify.Samples;

const int Threads = 2;
var onnxPath = args.Length > 0
    ? args[0]
    : typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ResNet18Onnx").Value!;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var construct = Stopwatch.StartNew();
var model = new ResNet18(Threads);
construct.Stop();

Console.WriteLine("ResNet18 (ImageNet weights) compiled by dotnet build: scheme locality, 90% of the weights of every conv but the first removed");
Console.WriteLine();
Console.WriteLine($"{"layer",-28} {"op",-18} {"output",-14} {"sparsity",8} {"nonzeros",10} {"format",-9} plan");
foreach (var layer in ResNet18.Layers)
{
    var sparsity = layer.NonZeros > 0 ? layer.Sparsity.ToString("0.000") : "-";
    var nonZeros = layer.NonZeros > 0 ? layer.NonZeros.ToString("N0") : "-";
    Console.WriteLine($"{Shorten(layer.Name, 28),-28} {layer.Op,-18} {string.Join('x', layer.OutputShape),-14} {sparsity,8} {nonZeros,10} {layer.Format,-9} {layer.Plan}");
}

// A seeded image-like input: the same for both engines.
var random = new Random(2017);
var input = new float[ResNet18.InputLength];
for (var i = 0; i < input.Length; i++)
{
    input[i] = (float)random.NextDouble();
}

var sparse = new float[ResNet18.OutputLength];
var firstCall = Stopwatch.StartNew();
model.Run(input, sparse);
firstCall.Stop();

using var session = new InferenceSession(onnxPath, new SessionOptions { IntraOpNumThreads = Threads, InterOpNumThreads = 1 });
var inputName = session.InputNames[0];
var inputDims = session.InputMetadata[inputName].Dimensions.Select(d => d < 0 ? 1L : d).ToArray();
using var ortInput = OrtValue.CreateTensorValueFromMemory(input, inputDims);
using var runOptions = new RunOptions();
var dense = new float[ResNet18.OutputLength];
void RunOrt()
{
    using var outputs = session.Run(runOptions, [inputName], [ortInput], [session.OutputNames[0]]);
    outputs[0].GetTensorDataAsSpan<float>().CopyTo(dense);
}

RunOrt();

// Warm-up: the JIT recompiles hot methods with full optimisation after their first 30 calls or so.
for (var i = 0; i < 40; i++)
{
    model.Run(input, sparse);
    RunOrt();
}

// Interleaved rounds so both engines see the same machine state; medians of many calls.
const int Rounds = 5, CallsPerRound = 20;
var sparseTimes = new List<double>();
var ortTimes = new List<double>();
for (var round = 0; round < Rounds; round++)
{
    Measure(() => model.Run(input, sparse), sparseTimes);
    Measure(RunOrt, ortTimes);
}

double sparseMs = Median(sparseTimes), ortMs = Median(ortTimes);
Console.WriteLine();
Console.WriteLine($"constructor (weights from the embedded blob): {construct.Elapsed.TotalMilliseconds:F1} ms; first call (JIT): {firstCall.Elapsed.TotalMilliseconds:F1} ms");
Console.WriteLine($"latency, batch 1, {Threads} threads, median of {Rounds * CallsPerRound}: Sparsify {sparseMs:F2} ms, ONNX Runtime {OrtVersion()} dense {ortMs:F2} ms: {ortMs / sparseMs:F2}x");
Console.WriteLine($"spread (ms, fastest / 10th / 50th / 90th percentile): Sparsify {Spread(sparseTimes)}; ONNX Runtime {Spread(ortTimes)}");

double dot = 0, sparseNorm = 0, denseNorm = 0;
for (var i = 0; i < dense.Length; i++)
{
    dot += (double)dense[i] * sparse[i];
    denseNorm += (double)dense[i] * dense[i];
    sparseNorm += (double)sparse[i] * sparse[i];
}

Console.WriteLine($"fidelity: cosine similarity of the {dense.Length} output features, sparse vs dense: {dot / Math.Sqrt(denseNorm * sparseNorm):F4}");
Console.WriteLine("(one-shot pruning without retraining; the accuracy a pruned model keeps comes from training with the scheme, see docs/accuracy.md)");
return 0;

static void Measure(Action run, List<double> times)
{
    // Both engines park their worker threads only after spinning a while: let the other engine's go idle first.
    Thread.Sleep(100);
    for (var i = 0; i < CallsPerRound; i++)
    {
        var watch = Stopwatch.StartNew();
        run();
        times.Add(watch.Elapsed.TotalMilliseconds);
    }
}

static string Spread(List<double> values)
{
    var sorted = values.Order().ToArray();
    return string.Join(" / ", new[] { 0.0, 0.1, 0.5, 0.9 }.Select(q => sorted[(int)(q * (sorted.Length - 1))].ToString("F2")));
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

static string Shorten(string name, int width) => name.Length <= width ? name : string.Concat("…", name.AsSpan(name.Length - width + 1));

static string OrtVersion() => typeof(InferenceSession).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?";
