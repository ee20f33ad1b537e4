// ResNet18 compiled at build time by Sparsify.Sdk (the SparsifyModel item in ResNet18.csproj): prints the
// generated layer table, times the generated sparse code beside ONNX Runtime running the dense model in
// the same process (2 threads each), and measures how close the sparse features stay to the dense ones on
// real photos the build never calibrated on (when the build was given photos: -p:SamplePhotos=DIR).
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.ML.OnnxRuntime;
using Sparsify.Samples;

const int Threads = 2;
const int HeldOutPhotos = 100;
string Metadata(string key) => typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value ?? string.Empty;
var onnxPath = args.Length > 0 ? args[0] : Metadata("ResNet18Onnx");
var photosFolder = Metadata("SamplePhotos");
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var construct = Stopwatch.StartNew();
var model = new ResNet18(Threads);
construct.Stop();

var fidelityTarget = Metadata("SampleFidelityTarget");
Console.WriteLine(fidelityTarget.Length > 0
    ? $"ResNet18 (ImageNet weights) compiled by dotnet build: {Metadata("SampleScheme")}, each conv but the first planned dense or sparse to a fidelity target of {fidelityTarget} "
        + $"(at most {Metadata("SampleSparsity")} of the weights), pruned data-aware on the photos of {photosFolder} whose WordNet id ends in 0-4"
    : $"ResNet18 (ImageNet weights) compiled by dotnet build: {Metadata("SampleScheme")} at {Metadata("SampleSparsity")} of the weights of every conv but the first, pruned by weight magnitude (no photos given)");
Console.WriteLine();
Console.WriteLine($"{"layer",-28} {"op",-18} {"output",-14} {"sparsity",8} {"nonzeros",10} {"format",-9} plan");
foreach (var layer in ResNet18.Layers)
{
    var sparsity = layer.NonZeros > 0 ? layer.Sparsity.ToString("0.000") : "-";
    var nonZeros = layer.NonZeros > 0 ? layer.NonZeros.ToString("N0") : "-";
    Console.WriteLine($"{Shorten(layer.Name, 28),-28} {layer.Op,-18} {string.Join('x', layer.OutputShape),-14} {sparsity,8} {nonZeros,10} {layer.Format,-9} {layer.Plan}");
}

// Real photos preprocessed as the model expects, when the build had them; else a seeded input (timing only).
using var photos = photosFolder.Length > 0 ? new Photos(Metadata("ResNetPreprocessOnnx")) : null;
string[] heldOut = photos is null ? [] : Photos.HeldOut(photosFolder, Metadata("SampleCalibration"));
var input = new float[ResNet18.InputLength];
if (photos is not null && heldOut.Length > 0)
{
    photos.Load(heldOut[0]).CopyTo(input, 0);
}
else
{
    var random = new Random(2017);
    for (var i = 0; i < input.Length; i++)
    {
        input[i] = (float)random.NextDouble() * 255 - 128;
    }
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

if (photos is null || heldOut.Length == 0)
{
    Console.WriteLine("fidelity: not measured: the build was given no photos. Build with -p:SamplePhotos=DIR (a folder of ImageNet JPEGs named by WordNet id,");
    Console.WriteLine("  e.g. n01440764_tench.jpg) to plan it to a fidelity target of 0.95 on those whose id ends in 0-4 and measure on the others.");
    return 0;
}

// Fidelity on held-out photos: cosine of the 512 features, sparse vs dense, and whether each photo's
// sparse features find its own dense features first among all the photos'.
var measured = heldOut.Take(HeldOutPhotos).ToArray();
var denseFeatures = new List<float[]>();
var sparseFeatures = new List<float[]>();
foreach (var photo in measured)
{
    photos.Load(photo).CopyTo(input, 0);
    RunOrt();
    model.Run(input, sparse);
    denseFeatures.Add((float[])dense.Clone());
    sparseFeatures.Add((float[])sparse.Clone());
}

var cosines = denseFeatures.Zip(sparseFeatures, Cosine).ToArray();
var retrieved = Enumerable.Range(0, measured.Length).Count(i =>
    Enumerable.Range(0, measured.Length).MaxBy(j => Cosine(denseFeatures[j], sparseFeatures[i])) == i);
Console.WriteLine($"fidelity on {measured.Length} held-out photos (never calibrated on): mean cosine {cosines.Average():F4}, worst {cosines.Min():F4}, self-retrieval {100.0 * retrieved / measured.Length:F1}%");
Console.WriteLine($"in short: {ortMs / sparseMs:F2}x the speed of ONNX Runtime's dense model, keeping a feature cosine of {cosines.Average():F4} on photos the build never saw");
return 0;

static double Cosine(float[] a, float[] b)
{
    double dot = 0, na = 0, nb = 0;
    for (var i = 0; i < a.Length; i++)
    {
        dot += (double)a[i] * b[i];
        na += (double)a[i] * a[i];
        nb += (double)b[i] * b[i];
    }

    return dot / Math.Sqrt(na * nb);
}

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
