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
/// empty body, which leaves the input re-layout, the epilogue and the threading. Each layer runs as the
/// model runs it: one the layer before feeds starts from its filled layout (the fill is its feeder's
/// epilogue), and a projection shortcut that runs in another convolution's call is timed as the pair
/// (beside that convolution alone). Not a BenchmarkDotNet
/// run: best of 15 rounds of 20 calls per layer, which on a shared VM is the figure least disturbed by
/// the neighbours; the layers take their rounds in turn, so each layer's rounds spread over the whole
/// run. It reads the generated class's private driver and geometry fields by name.
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
        var whole = Rounds(() => build.Run(input, output));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{model} at {sparsity}, {Threads} threads: whole model {whole[0] * 1000:F2} ms (best of 15 x 20 calls; median round {whole[whole.Length / 2] * 1000:F2} ms); FMA peak {peak:F1} GFLOP/s"));
        Console.WriteLine($"{"layer",-18} {"shape",-22} {"plan",-15} {"us",7} {"GFLOP/s",8} {"of peak",8} {"overhead us",12}");
        var random = new Random(7);
        var drivers = type.GetFields(Private).Where(f => f.Name.StartsWith("_driver", StringComparison.Ordinal))
            .Select(f => (Name: f.Name["_driver".Length..], Driver: (SparseConvolutionDriver)f.GetValue(build.Instance)!))
            .Select(d => (d.Name, d.Driver, Geometry: (ConvGeometry)type.GetField("Geometry" + d.Name, Private)!.GetValue(null)!))
            .ToList();
        var rows = new List<ProfileRow>();
        foreach (var (name, driver, g) in drivers.Where(d => d.Driver.LayoutGeometry == d.Geometry))
        {
            var info = layers.First(l => Identifier(l.Name) == name);
            var x = Enumerable.Range(0, g.InChannels * g.InHeight * g.InWidth).Select(_ => random.NextSingle()).ToArray();
            var residual = new float[g.OutChannels * g.OutPixels];
            var y = new float[residual.Length];
            var empty = EmptyBody(g, g, driver.RowsPerGroup);
            var macs = (double)info.NonZeros * g.OutPixels;
            var shape = $"{g.InChannels}->{g.OutChannels} k{g.KernelHeight} s{g.StrideH} {g.OutHeight}x{g.OutWidth}";

            // A layer the model runs from the layout the layer before wrote is timed that way: its layout
            // filled once, then marked as fed before every call (the feeder's cost is the feeder's).
            var fed = build.Source.Contains($"_step{name} = new SparseConvolutionStep(_driver{name}, threads, activation: Activation.Relu, inputFed: true", StringComparison.Ordinal);
            driver.Run(x, residual, true, y, Threads);
            empty.Run(x, residual, true, y, Threads);
            var note = fed ? "fed" : string.Empty;

            // A shortcut the generated code runs in this convolution's call: the pair is timed as the model runs it.
            var companion = drivers.FirstOrDefault(d => d.Driver.LayoutGeometry == g && d.Geometry != g && driver.CanRunWith(d.Driver));
            if (companion.Driver is { } partner)
            {
                rows.Add(new(name, shape, info.Plan.ToString(), macs, $"{note} alone".Trim(), Call(driver, fed, x, residual, y), Call(empty, fed, x, residual, y), Total: false));
                var c = companion.Geometry;
                var companionInfo = layers.First(l => Identifier(l.Name) == companion.Name);
                var z = new float[c.OutChannels * c.OutPixels];
                var emptyPartner = EmptyBody(c, g, partner.RowsPerGroup);
                rows.Add(new(
                    $"+ {companion.Name}", $"{c.InChannels}->{c.OutChannels} k{c.KernelHeight} s{c.StrideH} {c.OutHeight}x{c.OutWidth}", companionInfo.Plan.ToString(),
                    macs + ((double)companionInfo.NonZeros * c.OutPixels), $"{note} the pair".Trim(),
                    Call(driver, fed, x, residual, y, partner, z), Call(empty, fed, x, residual, y, emptyPartner, z), Total: true));
            }
            else
            {
                rows.Add(new(name, shape, info.Plan.ToString(), macs, note, Call(driver, fed, x, residual, y), Call(empty, fed, x, residual, y), Total: true));
            }
        }

        // Every layer's rounds spread over the whole run, so a spell of the neighbours' load slows a round of
        // each layer rather than every round of one.
        var calls = rows.SelectMany(r => new[] { r.Layer, r.Empty }).ToArray();
        var best = RoundRobinBest(calls);
        double total = 0, overhead = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var (us, emptyUs) = (best[2 * i] * 1e6, best[(2 * i) + 1] * 1e6);
            Row(row.Name, row.Shape, row.Plan, us, row.Macs, emptyUs, peak, row.Note);
            if (row.Total)
            {
                total += us;
                overhead += emptyUs;
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sparse convolutions: {total / 1000:F2} ms, of which re-layout, epilogue and threading {overhead / 1000:F2} ms"));
    }

    /// <summary>One printed row: a convolution (or a pair) and the same call with empty bodies.</summary>
    private sealed record ProfileRow(string Name, string Shape, string Plan, double Macs, string Note, Action Layer, Action Empty, bool Total);

    private static readonly FieldInfo LayoutFed = typeof(SparseConvolutionDriver).GetField("_layoutFed", Private)!;

    private static readonly FieldInfo Feeder = typeof(SparseConvolutionDriver).GetField("_feeder", Private)!;

    /// <summary>
    /// One call as the model makes it: from the image, or from the layout as a feeding convolution leaves
    /// it. A fed driver outside the model (the empty bodies) is given itself as its feeder, so the step binds.
    /// </summary>
    private static Action Call(SparseConvolutionDriver driver, bool fed, float[] x, float[] residual, float[] y, SparseConvolutionDriver? companion = null, float[]? z = null)
    {
        if (fed && Feeder.GetValue(driver) is null)
        {
            Feeder.SetValue(driver, driver);
        }

        var step = new SparseConvolutionStep(driver, Threads, activation: true, inputFed: fed, companion: companion, companionActivation: false);
        if (!fed)
        {
            return () => step.Run(x, residual, y, z);
        }

        return () =>
        {
            LayoutFed.SetValue(driver, true);
            step.Run(residual: residual, output: y, companionOutput: z);
        };
    }

    private static void Row(string name, string shape, string plan, double us, double macs, double emptyUs, double peak, string note)
    {
        var gflops = 2.0 * macs / us / 1e3;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-18} {shape,-22} {plan,-15} {us,7:F0} {gflops,8:F1} {gflops / peak,8:P1} {emptyUs,12:F0}  {note}"));
    }

    /// <summary>The FMA peak of <see cref="Threads"/> cores as the benchmarks take it: the larger of the 2-thread loop and twice the 1-thread one, fastest of 15.</summary>
    internal static double PeakGflops()
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

    private static unsafe SparseConvolutionDriver EmptyBody(in ConvGeometry g, in ConvGeometry layoutOf, int rows) =>
        new(g, layoutOf, rows, static (group, input, tile, pixels) => { }, new float[g.OutChannels]);

    /// <summary>
    /// Seconds per call of each of <paramref name="calls"/>: the best of 15 rounds of 20 calls, after 100
    /// warm-up calls each, the rounds taken in turn (round 1 of every call, then round 2, …), with
    /// <paramref name="pauseMilliseconds"/> untimed before each round.
    /// </summary>
    internal static double[] RoundRobinBest(Action[] calls, int pauseMilliseconds = 0)
    {
        foreach (var call in calls)
        {
            for (var i = 0; i < 100; i++)
            {
                call();
            }
        }

        var best = Enumerable.Repeat(double.MaxValue, calls.Length).ToArray();
        for (var round = 0; round < 15; round++)
        {
            for (var c = 0; c < calls.Length; c++)
            {
                if (pauseMilliseconds > 0)
                {
                    Thread.Sleep(pauseMilliseconds);
                }

                var start = Stopwatch.GetTimestamp();
                for (var i = 0; i < 20; i++)
                {
                    calls[c]();
                }

                best[c] = Math.Min(best[c], Stopwatch.GetElapsedTime(start).TotalSeconds / 20);
            }
        }

        return best;
    }

    /// <summary>Seconds per call of 15 rounds of 20 calls after 100 warm-up calls, fastest first.</summary>
    private static double[] Rounds(Action call)
    {
        for (var i = 0; i < 100; i++)
        {
            call();
        }

        var rounds = new double[15];
        for (var round = 0; round < rounds.Length; round++)
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < 20; i++)
            {
                call();
            }

            rounds[round] = Stopwatch.GetElapsedTime(start).TotalSeconds / 20;
        }

        Array.Sort(rounds);
        return rounds;
    }
}
