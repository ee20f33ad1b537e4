using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Sparsify.Core.Compilation;
using Sparsify.Core.Ir;
using Sparsify.Training.Models;
using Sparsify.Core.Onnx;
using Sparsify.Core.Sparsity;
using Sparsify.Hardware.Zc706.Anchors;
using Sparsify.Hardware.Zc706.Config;
using Sparsify.Hardware.Zc706.Exploration;
using Sparsify.Hardware.Zc706.Network;
using Sparsify.Hardware.Zc706.Report;
using Sparsify.Hardware.Zc706.Simulation;
using Sparsify.Runtime.Blob;

namespace Sparsify.Cli.Commands;

/// <summary>
/// <c>sparsify simulate MODEL [--config zc706.json] [--report out.html] [--json out.json]</c>: compiles a
/// model (an ONNX file or a builder name) with a sparsity scheme and runs it on the ZC706 PE-array model.
/// </summary>
internal static class SimulateCommand
{
    private static readonly string[] ExploredSchemes = ["locality", "unstructured", "balanced"];

    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("MODEL") { Description = "An ONNX model file, or a built-in network: " + string.Join(", ", ModelBuilders.Names) + "." };
        var config = new Option<string?>("--config") { Description = "A ZC706 configuration (JSON file), or a preset: default (the 16-PE sparse array) or qiu2016-dense (the 780-DSP dense anchor).", HelpName = "zc706.json" };
        var report = new Option<string?>("--report") { Description = "Write an HTML report (charts inline, viewable offline).", HelpName = "out.html" };
        var json = new Option<string?>("--json") { Description = "Write the simulation as JSON.", HelpName = "out.json" };
        var scheme = new Option<string>("--scheme") { Description = "The sparsity scheme: " + string.Join(", ", SparsitySchemes.Names) + ".", DefaultValueFactory = _ => "locality" };
        scheme.AcceptOnlyFromAmong([.. SparsitySchemes.Names]);
        var sparsity = new Option<double?>("--sparsity") { Description = "Global target: fraction of Conv/Gemm weights removed, in [0, 1).", HelpName = "X" };
        var layerSparsity = new Option<string[]>("--layer-sparsity") { Description = "Sparsity of one layer, as NAME=X. Repeat for several layers.", HelpName = "NAME=X" };
        var paperSparsity = new Option<bool>("--paper-sparsity") { Description = "Prune AlexNet to the per-layer sparsity of SSL AlexNet (the FCCM 2017 case)." };
        var exclude = new Option<string[]>("--exclude") { Description = "A layer that stays dense. Repeat for several layers.", HelpName = "NAME" };
        var pruneFirstConv = new Option<bool>("--prune-first-conv") { Description = "Prune the first convolution too (by default it stays dense)." };
        var pruneDepthwise = new Option<bool>("--prune-depthwise") { Description = "Prune depthwise convolutions too (by default they stay dense)." };
        var seed = new Option<int>("--seed") { Description = "Seed of a built-in network's weights and of the functional run's input.", HelpName = "N", DefaultValueFactory = _ => 1 };
        var functional = new Option<bool>("--functional") { Description = "Also execute the model on the array (fixed point or fp32, per the configuration) on a seeded input." };
        var explore = new Option<bool>("--explore") { Description = "Sweep PEs, MACs per PE, G, buffers and clock within the XC7Z045 for locality, unstructured and balanced pruning." };
        var results = new Option<string?>("--results") { Description = "Write the anchor, paper and best-configuration figures (docs/results/zc706.json).", HelpName = "zc706.json" };
        var inputShapes = InputShapeOption.Create();
        var command = new Command("simulate", "Run a compiled model on the ZC706 PE-array model: cycles, GOPS, resources, energy.")
        {
            model, config, report, json, scheme, sparsity, layerSparsity, paperSparsity, exclude, pruneFirstConv, pruneDepthwise, seed, functional, explore, results, inputShapes,
        };
        command.SetAction(parse => CliErrors.Guard(context, () =>
        {
            var arrayConfig = parse.GetValue(config) switch
            {
                null or "default" => Zc706Config.Default,
                "qiu2016-dense" => Zc706Config.Qiu2016Dense,
                var path => Zc706ConfigJson.Load(path),
            };
            arrayConfig.Validate();
            var layers = PruneCommand.ParseLayerSparsities(parse.GetValue(layerSparsity));
            if (parse.GetValue(paperSparsity))
            {
                foreach (var (name, x) in PublishedFigures.SslAlexNetSparsity)
                {
                    layers.TryAdd(name, x);
                }
            }

            var target = parse.GetValue(sparsity);
            var chosenScheme = parse.GetValue(scheme)!;
            if (target is null && layers.Count == 0 && chosenScheme != "keep")
            {
                throw new CliException("give --sparsity X, --layer-sparsity NAME=X or --paper-sparsity (or --scheme keep for the model as it is)");
            }

            var source = parse.GetValue(model)!;
            var shapes = parse.GetValue(inputShapes);
            Func<ModelGraph> load = ModelBuilders.Names.Contains(source, StringComparer.OrdinalIgnoreCase)
                ? () => ModelBuilders.Build(source, parse.GetValue(seed))
                : () => OnnxModel.Load(source, InputShapeOption.ToImportOptions(shapes));
            var withValues = parse.GetValue(functional);
            var importClock = new Stopwatch();
            var importMs = 0L;
            ArrayNetwork Compile(string s, int groupSize)
            {
                var options = new CompileOptions
                {
                    Scheme = s,
                    Sparsity = target,
                    LayerSparsities = layers,
                    ExcludedLayers = parse.GetValue(exclude) ?? [],
                    KeepFirstConvDense = !parse.GetValue(pruneFirstConv),
                    KeepDepthwiseDense = !parse.GetValue(pruneDepthwise),
                    Settings = new SchemeSettings { GroupSize = groupSize, PeCount = arrayConfig.PeCount, BufferBytesPerPe = arrayConfig.WeightBufferBytesPerPe, IndexBits = arrayConfig.IndexBits },
                };
                var compiled = ModelCompiler.Compile(load(), options);
                importClock.Restart();
                var imported = ManifestImporter.Import(compiled.Manifest, new WeightBlobReader(compiled.Blob), withValues);
                importMs = importClock.ElapsedMilliseconds;
                return imported;
            }

            var clock = Stopwatch.StartNew();
            var network = Compile(chosenScheme, arrayConfig.GroupSize);
            var compileMs = clock.ElapsedMilliseconds;
            clock.Restart();
            var result = Zc706Simulator.Simulate(network, arrayConfig);
            var timingMs = clock.ElapsedMilliseconds;
            context.Out.Write(SummaryText.Format(result));
            context.Out.WriteLine(Text($"compile {compileMs - importMs} ms; import ({(withValues ? "weights decoded" : "patterns only")}) {importMs} ms; timing model {timingMs} ms"));
            if (parse.GetValue(functional))
            {
                var inputs = network.Inputs.Select((v, i) => SeededTensors.UniformValues(v.Shape.Aggregate(1, (a, d) => a * d), parse.GetValue(seed) + i)).ToArray();
                clock.Restart();
                var run = Zc706Simulator.Simulate(network, arrayConfig, new SimulationOptions { Inputs = inputs });
                var output = run.Outputs![0];
                var top = Array.IndexOf(output, output.Max());
                context.Out.WriteLine(Text($"functional ({arrayConfig.Arithmetic}) + timing {clock.ElapsedMilliseconds} ms; output '{network.Outputs[0].Name}' top-1 index {top}"));
            }

            var explorations = new List<ExplorationResult>();
            if (parse.GetValue(explore))
            {
                foreach (var s in ExploredSchemes)
                {
                    clock.Restart();
                    var cache = new Dictionary<int, ArrayNetwork>();
                    // Only locality prunes per G; the other schemes' patterns do not depend on it.
                    ArrayNetwork ForGroupSize(int g) => s == "locality"
                        ? cache.TryGetValue(g, out var n) ? n : cache[g] = g == arrayConfig.GroupSize && s == chosenScheme ? network : Compile(s, g)
                        : cache.TryGetValue(0, out var m) ? m : cache[0] = s == chosenScheme ? network : Compile(s, arrayConfig.GroupSize);
                    var x = DesignSpaceExplorer.Explore(ForGroupSize, s, DesignSpace.Default, arrayConfig);
                    explorations.Add(x);
                    var b = x.Best;
                    context.Out.WriteLine(Text($"explore {s}: {x.Points.Count} configurations within budget ({x.OverBudget} over budget, {x.OverClocked} over clock, {x.DoesNotFit} not fitting) in {clock.ElapsedMilliseconds} ms; best {b.Config.Name}: {b.Total.EffectiveGops:F1} GOPS effective, {b.Total.DenseEquivalentGops:F1} dense-equivalent, DSP {b.Resources.Dsp}, BRAM36 {b.Resources.Bram36}, stall {b.StallCycles:N0} cycles, DDR {b.DdrBytes / 1048576.0:F1} MiB"));
                }
            }

            var comparisons = new List<Comparison>();
            var paper = parse.GetValue(paperSparsity) ? PaperCase(result, chosenScheme) : null;
            if (paper is not null)
            {
                comparisons.Add(new Comparison("effective GOPS (Li et al. 2017)", paper.PublishedEffectiveGops, paper.Modeled.EffectiveGops, paper.Explanation));
                comparisons.Add(new Comparison("dense-equivalent GOPS (Li et al. 2017)", paper.PublishedDenseEquivalentGops, paper.Modeled.DenseEquivalentGops, "same run, counted as dense operations"));
            }

            if (parse.GetValue(results) is { } resultsPath)
            {
                var anchor = Zc706Results.RunQiu2016Anchor();
                comparisons.Add(new Comparison(anchor.Name + " (dense anchor)", anchor.PublishedGops, anchor.ModeledGops, "the model configured as their 780-DSP dense 16-bit array at 150 MHz"));
                var best = explorations.Select(x => RunFigures.Of(network.Name, x.Scheme, x.Best)).ToArray();
                new Zc706Results([anchor], paper, best).Write(resultsPath);
                context.Out.WriteLine(Text($"anchor {anchor.Name}: {anchor.ModeledGops:F1} GOPS modelled vs {anchor.PublishedGops:F1} published ({anchor.Ratio:P0}); wrote {resultsPath}"));
            }

            if (parse.GetValue(report) is { } reportPath)
            {
                HtmlReport.Write(reportPath, result, explorations, comparisons);
                context.Out.WriteLine($"wrote {reportPath}");
            }

            if (parse.GetValue(json) is { } jsonPath)
            {
                File.WriteAllText(jsonPath, SimulationJson.Serialize(result, explorations));
                context.Out.WriteLine($"wrote {jsonPath}");
            }

            return 0;
        }));
        return command;
    }

    private static PaperFigures PaperCase(SimulationResult result, string scheme)
    {
        var figures = RunFigures.Of(result, scheme);
        var fc = result.Of(l => l.Op == "Gemm");
        var explanation = Text(
            $"the convolutions reach {figures.ConvEffectiveGops:F1} GOPS effective ({figures.ConvDenseEquivalentGops:F1} dense-equivalent); at batch 1 the fully connected layers stream every compressed weight from DDR once per image ({fc.DdrBytes / 1048576.0:F1} MiB at {result.Config.DdrBandwidthGBps:0.0#} GB/s, {fc.Seconds / result.Total.Seconds:P0} of the time), so the whole model lands at {figures.EffectiveGops:F1}; the model's array has {result.Config.MacUnits} MACs at {result.Config.ClockMHz:0} MHz, and the paper does not publish its own PE count, clock or batch");
        return new PaperFigures(figures, PublishedFigures.Li2017EffectiveGops, PublishedFigures.Li2017DenseEquivalentGops, explanation);
    }

    private static string Text(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
