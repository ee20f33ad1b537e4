using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Sparsify.Benchmarks.Generated;
using Sparsify.Core;
using Sparsify.Core.Compilation;
using Sparsify.Core.Execution;
using Sparsify.Core.Ir;
using Sparsify.Core.Onnx;

namespace Sparsify.Benchmarks.Zoo;

/// <summary>
/// <c>--zoo DIR</c>: for each model scripts/export-torch-fixtures.py --zoo exported to DIR, whether
/// it imports, whether the reference executor and the generated code agree with ONNX Runtime on
/// torch's seeded input (max |difference| relative to max |output|), and the generated code's
/// latency dense and at locality 70% against ONNX Runtime dense in the same process (2 threads
/// each, interleaved rounds, medians). Prints the Markdown rows of docs/models.md.
/// </summary>
public static class ModelZoo
{
    private const int Threads = 2;
    private const double Agreement = 1e-4;

    public static void Run(string folder, int rounds)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "zoo.json")));
        var rows = new StringBuilder();
        foreach (var entry in document.RootElement.GetProperty("models").EnumerateArray())
        {
            var name = entry.GetProperty("name").GetString()!;
            var row = Survey(folder, name, rounds);
            Console.Error.WriteLine(row);
            rows.AppendLine(row);
        }

        Console.WriteLine(rows.ToString());
    }

    private static string Survey(string folder, string name, int rounds)
    {
        var path = Path.Combine(folder, name + ".onnx");
        ModelGraph graph;
        try
        {
            graph = OnnxModel.Load(path);
        }
        catch (SparsifyModelException e)
        {
            return $"| {name} | no: {Escape(e.Problem)} | | | | |";
        }

        var input = ReadFloats(Path.Combine(folder, name + ".input.f32"));
        using var session = new InferenceSession(path, new SessionOptions { IntraOpNumThreads = Threads, InterOpNumThreads = 1 });
        var ortOutput = RunOrt(session, input, graph.Inputs[0].Shape);
        var reference = new ReferenceExecutor(graph).Run(input);
        var referenceCell = Verdict(ortOutput, reference);

        string generatedCell, denseCell, sparseCell;
        try
        {
            var dense = GeneratedModelCompiler.Build(ModelCompiler.Compile(OnnxModel.Load(path), new CompileOptions { Scheme = "locality", Sparsity = 0 }), Threads);
            var output = new float[ortOutput.Length];
            dense.Run(input, output);
            generatedCell = Verdict(ortOutput, output);
            denseCell = Latency(session, input, graph.Inputs[0].Shape, dense.Run, output, rounds);
            var sparse = GeneratedModelCompiler.Build(ModelCompiler.Compile(OnnxModel.Load(path), new CompileOptions { Scheme = "locality", Sparsity = 0.7 }), Threads);
            sparseCell = Latency(session, input, graph.Inputs[0].Shape, sparse.Run, output, rounds);
        }
        catch (Exception e) when (e is SparsifyModelException or InvalidOperationException or NotSupportedException)
        {
            generatedCell = $"no: {Escape(e.Message)}";
            denseCell = sparseCell = string.Empty;
        }

        return $"| {name} | yes ({graph.Layers.Count} layers) | {referenceCell} | {generatedCell} | {denseCell} | {sparseCell} |";
    }

    private static string Verdict(float[] expected, float[] actual)
    {
        var scale = expected.Max(Math.Abs);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        var relative = worst / Math.Max(scale, 1e-30);
        return string.Create(CultureInfo.InvariantCulture, $"{(relative <= Agreement ? "yes" : "NO")} ({relative:0.0e+0})");
    }

    // Interleaved rounds of 5 calls each, after the JIT has settled and the other engine's threads have parked; medians of the per-call times.
    private static string Latency(InferenceSession session, float[] input, Shape shape, ModelRun run, float[] output, int rounds)
    {
        using var ortInput = OrtValue.CreateTensorValueFromMemory(input, shape.Select(d => (long)d).ToArray());
        using var options = new RunOptions();
        void Ort()
        {
            using var outputs = session.Run(options, [session.InputNames[0]], [ortInput], [session.OutputNames[0]]);
        }

        void Generated() => run(input, output);
        JitSettling.Run(Generated);
        Ort();
        var ortTimes = new List<double>();
        var generatedTimes = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            ortTimes.Add(Time(Ort));
            generatedTimes.Add(Time(Generated));
        }

        var ortMs = Median(ortTimes);
        var generatedMs = Median(generatedTimes);
        return string.Create(CultureInfo.InvariantCulture, $"{ortMs / generatedMs:0.00}x ({generatedMs:0.0} vs {ortMs:0.0} ms)");

        static double Time(Action call)
        {
            const int Calls = 5;

            // Both engines park their worker threads only after spinning a while: let the other engine's go idle first.
            Thread.Sleep(100);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < Calls; i++)
            {
                call();
            }

            return clock.Elapsed.TotalMilliseconds / Calls;
        }
    }

    private static float[] RunOrt(InferenceSession session, float[] input, Shape shape)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape.Select(d => (long)d).ToArray());
        using var options = new RunOptions();
        using var outputs = session.Run(options, [session.InputNames[0]], [value], [session.OutputNames[0]]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }

    private static float[] ReadFloats(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
