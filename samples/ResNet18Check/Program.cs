// Reads the real ResNet18 from its NuGet package, prints `sparsify inspect` for it, then runs the
// reference executor and ONNX Runtime (2 threads each) on the same seeded input and compares.
using System.Diagnostics;
using System.Reflection;
using Microsoft.ML.OnnxRuntime;
using Sparsify.Core.Execution;
using Sparsify.Core.Ir;
using Sparsify.Core.Models;
using Sparsify.Core.Onnx;

var path = args.Length > 0 ? args[0] : typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ResNet18Path").Value!;
var inspect = Sparsify.Cli.Program.Run(["inspect", path], Console.Out, Console.Error);
if (inspect != 0)
{
    return inspect;
}

var load = Stopwatch.StartNew();
var graph = OnnxModel.Load(path);
Console.WriteLine($"\nread {Path.GetFileName(path)} ({new FileInfo(path).Length / 1e6:F1} MB) in {load.ElapsedMilliseconds} ms");

var shape = graph.Inputs[0].Shape;
var input = SeededTensors.Uniform(shape, seed: 2017);

var executor = new ReferenceExecutor(graph, new ExecutorOptions { MaxDegreeOfParallelism = 2 });
using var session = new InferenceSession(path, new SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1 });
using var ortInput = OrtValue.CreateTensorValueFromMemory(input.Data, shape.Dims.ToArray().Select(d => (long)d).ToArray());
using var runOptions = new RunOptions();

float[] RunOrt()
{
    using var outputs = session.Run(runOptions, [session.InputNames[0]], [ortInput], [session.OutputNames[0]]);
    return outputs[0].GetTensorDataAsSpan<float>().ToArray();
}

var expected = RunOrt();
var actual = executor.Run([input])[0].Data;
double maxAbs = expected.Max(v => Math.Abs(v)), maxDiff = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
double dot = 0, na = 0, nb = 0;
for (var i = 0; i < expected.Length; i++)
{
    dot += expected[i] * actual[i];
    na += expected[i] * expected[i];
    nb += actual[i] * actual[i];
}

// Warm-up calls first: the first ones pay for JIT compilation and cold caches.
static double Median(Func<object> run, int count)
{
    for (var i = 0; i < 3; i++)
    {
        run();
    }

    var times = new double[count];
    for (var i = 0; i < count; i++)
    {
        var watch = Stopwatch.StartNew();
        run();
        times[i] = watch.Elapsed.TotalMilliseconds;
    }

    Array.Sort(times);
    return times[count / 2];
}

var sparsifyMs = Median(() => executor.Run([input]), 7);
var ortMs = Median(RunOrt, 7);
var agrees = maxDiff <= 1e-4 * maxAbs;
Console.WriteLine($"outputs: {expected.Length} features; max |diff| {maxDiff:G3} vs max |output| {maxAbs:G3} ({maxDiff / maxAbs:G2} relative); cosine {dot / Math.Sqrt(na * nb):F7}");
Console.WriteLine($"latency (median of 7 after 3 warm-up runs, 2 threads): reference executor {sparsifyMs:F1} ms, ONNX Runtime {ortMs:F1} ms ({sparsifyMs / ortMs:F2}x)");
Console.WriteLine(agrees ? "agrees with ONNX Runtime (tolerance 1e-4 x max |output|)" : "DISAGREES with ONNX Runtime");
return agrees ? 0 : 1;
