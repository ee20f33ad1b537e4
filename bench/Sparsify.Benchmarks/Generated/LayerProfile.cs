using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Sparsify.Core.Compilation;
using Sparsify.Runtime;
using Sparsify.Runtime.Kernels;

namespace Sparsify.Benchmarks.Generated;

/// <summary>
/// Where a generated model's time goes, layer by layer: each sparse convolution of the model (built in
/// memory as <see cref="GeneratedModelBenchmarks"/> builds it) timed alone, beside the same driver with an
/// empty body, which leaves the input re-layout, the epilogue and the threading. Not a BenchmarkDotNet
/// run: best of 15 rounds of 20 calls per layer, which on a shared VM is the figure least disturbed by
/// the neighbours. It reads the generated class's private driver and geometry fields by name.
/// </summary>
/// <remarks><c>dotnet run -c Release --project bench/Sparsify.Benchmarks -- --layers ResNet18 0.9</c></remarks>
public static class LayerProfile
{
    private const int Threads = 2;
    private const BindingFlags Private = BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    public static void Run(string model, double sparsity)
    {
        var graph = GeneratedModelBenchmarks.Load(model);
        var compiled = ModelCompiler.Compile(graph, new CompileOptions { Scheme = "locality", Sparsity = sparsity });
        var build = GeneratedModelCompiler.Build(compiled, Threads);
        var type = build.Instance.GetType();
        var layers = (IReadOnlyList<LayerInfo>)type.GetProperty("Layers")!.GetValue(null)!;
        var input = new float[(int)type.GetField("InputLength")!.GetValue(null)!];
        var output = new float[(int)type.GetField("OutputLength")!.GetValue(null)!];
        var peak = PeakGflops();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{model} at {sparsity}, {Threads} threads: whole model {Best(() => build.Run(input, output)) * 1000:F2} ms (best of 15 x 20 calls); FMA peak {peak:F1} GFLOP/s"));
        Console.WriteLine($"{"layer",-18} {"shape",-22} {"plan",-15} {"us",7} {"GFLOP/s",8} {"of peak",8} {"overhead us",12}");
        double total = 0, overhead = 0;
        var random = new Random(7);
        foreach (var field in type.GetFields(Private).Where(f => f.Name.StartsWith("_driver", StringComparison.Ordinal)))
        {
            var name = field.Name["_driver".Length..];
            var driver = (SparseConvolutionDriver)field.GetValue(build.Instance)!;
            var g = (ConvGeometry)type.GetField("Geometry" + name, Private)!.GetValue(null)!;
            var info = layers.First(l => Identifier(l.Name) == name);
            var x = Enumerable.Range(0, g.InChannels * g.InHeight * g.InWidth).Select(_ => random.NextSingle()).ToArray();
            var residual = new float[g.OutChannels * g.OutPixels];
            var y = new float[residual.Length];
            var us = Best(() => driver.Run(x, residual, true, y, Threads)) * 1e6;
            var empty = EmptyBody(g, driver.RowsPerGroup);
            var emptyUs = Best(() => empty.Run(x, residual, true, y, Threads)) * 1e6;
            var gflops = 2.0 * info.NonZeros * g.OutPixels / us / 1e3;
            total += us;
            overhead += emptyUs;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-18} {$"{g.InChannels}->{g.OutChannels} k{g.KernelHeight} s{g.StrideH} {g.OutHeight}x{g.OutWidth}",-22} {info.Plan,-15} {us,7:F0} {gflops,8:F1} {gflops / peak,8:P0} {emptyUs,12:F0}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sparse convolutions: {total / 1000:F2} ms, of which re-layout, epilogue and threading {overhead / 1000:F2} ms"));
    }

    /// <summary>The FMA peak of <see cref="Threads"/> cores as the benchmarks take it: the larger of the 2-thread loop and twice the 1-thread one, fastest of 15.</summary>
    private static double PeakGflops()
    {
        var fma = new FmaPeakBenchmarks();
        double both = double.MaxValue, one = double.MaxValue;
        for (var round = 0; round < 20; round++)
        {
            var start = Stopwatch.GetTimestamp();
            fma.Peak();
            both = Math.Min(both, Stopwatch.GetElapsedTime(start).TotalSeconds);
            start = Stopwatch.GetTimestamp();
            fma.OneThread();
            one = Math.Min(one, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        return Math.Max(FmaPeakBenchmarks.Flops / both, Threads * FmaPeakBenchmarks.FlopsPerThread / one) / 1e9;
    }

    /// <summary>The member-name fragment the generator makes of a layer name (letters and digits, the first upper-case).</summary>
    private static string Identifier(string layer)
    {
        var ident = new string([.. layer.Select(c => char.IsLetterOrDigit(c) && c < 128 ? c : '_')]);
        ident = ident.Length == 0 || char.IsDigit(ident[0]) ? "L" + ident : ident;
        return char.ToUpperInvariant(ident[0]) + ident[1..];
    }

    private static unsafe SparseConvolutionDriver EmptyBody(in ConvGeometry g, int rows) =>
        new(g, rows, static (group, input, tile, pixels) => { }, new float[g.OutChannels]);

    /// <summary>Seconds per call: the best of 15 rounds of 20 calls, after 100 warm-up calls.</summary>
    private static double Best(Action call)
    {
        for (var i = 0; i < 100; i++)
        {
            call();
        }

        var best = double.MaxValue;
        for (var round = 0; round < 15; round++)
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < 20; i++)
            {
                call();
            }

            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds / 20);
        }

        return best;
    }
}
