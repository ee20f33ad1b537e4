using System.CommandLine;
using System.Globalization;
using Sparsify.Core.Calibration;
using Sparsify.Core.Compilation;
using Sparsify.Core.Execution;
using Sparsify.Core.Ir;
using Sparsify.Core.Onnx;
using Sparsify.Core.Sparsity;
using Sparsify.Core.Sparsity.DataAware;

namespace Sparsify.Cli.Commands;

/// <summary>
/// <c>sparsify prune MODEL --scheme S --sparsity X --out PRUNED.onnx</c>: prunes a model with one of
/// the schemes, prints the per-layer report and writes the pruned model.
/// </summary>
internal static class PruneCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("MODEL") { Description = "The ONNX model file." };
        var scheme = new Option<string>("--scheme")
        {
            Description = "The sparsity scheme: " + string.Join(", ", SparsitySchemes.Names) + ".",
            DefaultValueFactory = _ => "locality",
        };
        scheme.AcceptOnlyFromAmong([.. SparsitySchemes.Names]);
        var sparsity = new Option<double?>("--sparsity") { Description = "Global target: fraction of Conv/Gemm weights removed, in [0, 1), spread over the layers.", HelpName = "X" };
        var layerSparsity = new Option<string[]>("--layer-sparsity") { Description = "Sparsity of one layer, as NAME=X. Repeat for several layers.", HelpName = "NAME=X" };
        var exclude = new Option<string[]>("--exclude") { Description = "A layer that stays dense. Repeat for several layers.", HelpName = "NAME" };
        var pruneFirstConv = new Option<bool>("--prune-first-conv") { Description = "Prune the first convolution too (by default it stays dense)." };
        var pruneDepthwise = new Option<bool>("--prune-depthwise") { Description = "Prune depthwise convolutions too (by default they stay dense)." };
        var uniform = new Option<bool>("--uniform") { Description = "Give every layer the global target instead of spreading it by measured sensitivity." };
        var group = new Option<int>("--group") { Description = "G: output channels that share one nonzero pattern (locality).", HelpName = "G", DefaultValueFactory = _ => PeArrayDefaults.GroupSize };
        var pes = new Option<int>("--pes") { Description = "P: processing elements (partitions) the weights are balanced over.", HelpName = "P", DefaultValueFactory = _ => PeArrayDefaults.PeCount };
        var buffer = new Option<int>("--buffer-bytes") { Description = "Weight buffer of one PE, in bytes.", HelpName = "BYTES", DefaultValueFactory = _ => PeArrayDefaults.WeightBufferBytesPerPe };
        var n = new Option<int?>("--n") { Description = "N of N:M sparsity (nm scheme); by default implied by --sparsity." };
        var m = new Option<int>("--m") { Description = "M of N:M sparsity (nm scheme).", DefaultValueFactory = _ => PeArrayDefaults.NmBlock };
        var output = new Option<string>("--out", "-o") { Description = "The pruned ONNX model to write (replaced atomically).", HelpName = "PRUNED.onnx", Required = true };
        var fidelityTarget = new Option<double?>("--fidelity-target")
        {
            Description = "With --calibration: plan each layer dense or sparse so the model is fastest by the cost model while the validation mean cosine stays at least this, in (0, 1]; --sparsity becomes the upper bound.",
            HelpName = "COSINE",
        };
        var inputShapes = InputShapeOption.Create();
        var calibration = new CalibrationOptions("--calibration", "Images (or .f32 inputs) to prune data-aware on: a folder, a glob, or files separated by ';'. Its held-out part measures the result.");
        var command = new Command("prune", "Prune a model's Conv and Gemm weights with a sparsity scheme and print the per-layer report.")
        {
            model, scheme, sparsity, layerSparsity, exclude, pruneFirstConv, pruneDepthwise, uniform, group, pes, buffer, n, m, output, fidelityTarget, inputShapes,
        };
        calibration.AddTo(command);
        command.SetAction(parse => CliErrors.Guard(context, () =>
        {
            ModelGraph Load() => OnnxModel.Load(parse.GetValue(model)!, InputShapeOption.ToImportOptions(parse.GetValue(inputShapes)));
            var graph = Load();
            var layers = ParseLayerSparsities(parse.GetValue(layerSparsity));
            var target = parse.GetValue(sparsity);
            var fidelity = parse.GetValue(fidelityTarget);
            if (fidelity is not null && parse.GetValue(calibration.Files) is null)
            {
                throw new CliException("--fidelity-target needs --calibration: the target is planned and checked on real inputs");
            }

            if (fidelity is null && target is null && layers.Count == 0 && !string.Equals(parse.GetValue(scheme), "keep", StringComparison.OrdinalIgnoreCase))
            {
                throw new CliException("give --sparsity X (a global target) or --layer-sparsity NAME=X");
            }

            var options = new CompileOptions
            {
                Scheme = parse.GetValue(scheme)!,
                Sparsity = target,
                LayerSparsities = layers,
                ExcludedLayers = parse.GetValue(exclude) ?? [],
                KeepFirstConvDense = !parse.GetValue(pruneFirstConv),
                KeepDepthwiseDense = !parse.GetValue(pruneDepthwise),
                Allocation = parse.GetValue(uniform) ? SparsityAllocation.Uniform : SparsityAllocation.Sensitivity,
                Settings = new SchemeSettings
                {
                    GroupSize = parse.GetValue(group),
                    PeCount = parse.GetValue(pes),
                    BufferBytesPerPe = parse.GetValue(buffer),
                    N = parse.GetValue(n),
                    M = parse.GetValue(m),
                },
                FidelityTarget = fidelity,
            };
            var source = calibration.Read(parse);
            var pruning = source is null
                ? ModelPruner.Prune(graph, options.Scheme, options.ToPruningOptions())
                : PruneWithData(context, graph, options, source);
            context.Out.Write(pruning.Report.ToText());
            var path = parse.GetValue(output)!;
            OnnxModel.Save(graph, path);
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {path}: {pruning.Report.Sparsity:P1} of {pruning.Report.Weights:N0} weights removed"));
            return 0;
        }, parse.GetValue(model)));
        return command;
    }

    // Data-aware on the calibration part (to a fidelity target when given); the held-out part measures the result.
    private static ModelPruning PruneWithData(CliContext context, ModelGraph graph, CompileOptions options, CalibrationSource source)
    {
        var (pruning, summary) = CalibratedPruning.Prune(graph, options, source, context.Error.WriteLine);
        context.Out.WriteLine(summary.Line);
        if (summary.Plan is { } plan)
        {
            context.Out.WriteLine(plan.Line);
            context.Out.WriteLine(plan.LayersLine);
        }

        return pruning;
    }

    /// <summary>Parses repeated <c>--layer-sparsity NAME=X</c> values (shared with <c>simulate</c>).</summary>
    internal static Dictionary<string, double> ParseLayerSparsities(string[]? values)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var value in values ?? [])
        {
            var equals = value.LastIndexOf('=');
            if (equals <= 0 || !double.TryParse(value[(equals + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var x))
            {
                throw new CliException($"--layer-sparsity '{value}' is not NAME=X with X in [0, 1), e.g. conv2=0.9");
            }

            if (!result.TryAdd(value[..equals], x))
            {
                throw new CliException($"--layer-sparsity is given twice for layer '{value[..equals]}'");
            }
        }

        return result;
    }
}
