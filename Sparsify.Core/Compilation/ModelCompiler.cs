using System.Security.Cryptography;
using System.Text;
using Sparsify.Core.Formats;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Core.Sparsity;
using Sparsify.Runtime.Blob;
using Sparsify.Runtime.Formats;
using Sparsify.Core.Compilation.Lowering;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Compilation;

/// <summary>
/// Compiles a model for the build: prune with a scheme, plan every layer, encode each layer's weights
/// in the format its plan needs, and produce the manifest, the weight blob and the report.
/// </summary>
/// <example>
/// <code>
/// var compiled = ModelCompiler.Compile(OnnxModel.Load("lenet.onnx"), new CompileOptions { Sparsity = 0.9 });
/// compiled.WriteTo("obj/sparsify", "LeNet");
/// </code>
/// </example>
public static class ModelCompiler
{
    /// <summary>
    /// Compiles <paramref name="graph"/>. Its weights are pruned <b>in place</b> (clone the graph first
    /// to keep the dense one). Deterministic: the same graph and options give the same bytes.
    /// </summary>
    /// <exception cref="ArgumentException">Bad options (unknown scheme or layer, a setting out of range).</exception>
    /// <exception cref="SparsifyModelException">A model with nothing to prune.</exception>
    /// <exception cref="Calibration.CalibrationDataException">Calibration data that cannot be used.</exception>
    public static CompiledModel Compile(ModelGraph graph, CompileOptions? options = null, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        options ??= new CompileOptions();
        if (options.FidelityTarget is not null && options.Calibration is null)
        {
            throw new Calibration.CalibrationDataException("FidelityTarget needs calibration data to plan and check on; set Calibration to a folder of images", setting: Calibration.CalibrationSettings.Files);
        }

        var (pruning, calibration) = options.Calibration is { } source
            ? CalibratedPruning.Prune(graph, options, source, progress)
            : (ModelPruner.Prune(graph, options.Scheme, options.ToPruningOptions()), null);
        var plans = LayerPlanner.Plan(graph, pruning.Report, options.Planner, options.PlanOverrides);
        var sparsity = pruning.Report.Layers.ToDictionary(l => l.LayerName, StringComparer.Ordinal);

        // First pass: encode and lay out the blob; the manifest needs the offsets and the hash.
        var writer = new WeightBlobWriter();
        var formats = new Dictionary<string, (string Format, int GroupSize, FormatReport? Encoded)>(StringComparer.Ordinal);
        foreach (var (layer, plan) in graph.Layers.Zip(plans))
        {
            if (layer is PerChannelLayer arrays)
            {
                writer.AddFloats(layer.Name, BlobArrayKind.Weights, arrays.Scale.Data);
                writer.AddFloats(layer.Name, BlobArrayKind.Bias, arrays.Shift.Data);
            }

            if (!sparsity.TryGetValue(layer.Name, out var report))
            {
                continue;
            }

            var matrix = WeightMatrix.Of(layer);
            var mask = pruning.Masks[layer.Name];
            var groupSize = report.Layout == PartitionLayout.Groups ? report.ValuesPerEntry : 1;
            switch (plan.Execution)
            {
                case LayerExecution.Dense:
                    writer.AddFloats(layer.Name, BlobArrayKind.Weights, matrix.Values);
                    formats[layer.Name] = ("dense", groupSize, null);
                    break;
                case LayerExecution.SparseTable when report.Layout == PartitionLayout.Groups:
                    // Locality layers keep their shared pattern on disk: one index list per G rows.
                    var group = GroupEncoder.Encode(matrix, mask, groupSize, IndexEncoding.Absolute);
                    writer.AddEncoded(layer.Name, group);
                    formats[layer.Name] = ("group", groupSize, FormatReport.Of(group, layer.Name));
                    break;
                case LayerExecution.SparseTable:
                    var csr = CsrEncoder.Encode(matrix, mask);
                    writer.AddEncoded(layer.Name, csr);
                    formats[layer.Name] = ("csr", groupSize, FormatReport.Of(csr, layer.Name));
                    break;
                default:
                    // Unrolled weights live in the manifest text only (generators cannot read binary files).
                    formats[layer.Name] = ("unrolled", groupSize, null);
                    break;
            }

            if (Bias(layer) is { } bias)
            {
                writer.AddFloats(layer.Name, BlobArrayKind.Bias, bias.Data);
            }
        }

        var (blob, entries) = writer.Build();
        var sha = Convert.ToHexStringLower(SHA256.HashData(blob));
        var layers = graph.Layers.Zip(plans).Select(p => Describe(graph, p.First, p.Second, sparsity.GetValueOrDefault(p.First.Name), pruning, formats, entries)).ToArray();
        var manifest = new Manifest(
            ManifestFormat.CurrentVersion, graph.Name, options.ClassName ?? ClassNameOf(graph.Name), options.SourceSha256 ?? ManifestFormat.NoSource, sha, blob.Length,
            new(graph.Inputs.Select(Value)), new(graph.Outputs.Select(Value)), new(layers), EmptyPlan);
        manifest = manifest with { Execution = ExecutionLowering.Lower(manifest) };
        var text = ManifestWriter.Write(manifest);
        var compilationReport = CompilationReport.Build(graph, pruning.Report, plans, formats.ToDictionary(f => f.Key, f => (f.Value.Format, f.Value.Encoded)), blob.Length, calibration, manifest.Execution);
        return new CompiledModel(manifest, text, blob, compilationReport, pruning, plans);
    }

    private static readonly ExecutionPlan EmptyPlan = new(new([]), new([]), new([]));

    /// <summary>The model name in PascalCase with non-identifier characters dropped (<c>lenet-5</c> → <c>Lenet5</c>).</summary>
    public static string ClassNameOf(string modelName)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        var name = new StringBuilder();
        var upper = true;
        foreach (var ch in modelName)
        {
            if (!char.IsLetterOrDigit(ch) && ch != '_')
            {
                upper = true;
                continue;
            }

            name.Append(upper ? char.ToUpperInvariant(ch) : ch);
            upper = false;
        }

        var result = name.ToString();
        return result.Length == 0 ? "Model" : char.IsDigit(result[0]) ? "Model" + result : result;
    }

    private static ManifestLayer Describe(
        ModelGraph graph, Layer layer, LayerPlan plan, LayerSparsityReport? report, ModelPruning pruning,
        Dictionary<string, (string Format, int GroupSize, FormatReport? Encoded)> formats, IReadOnlyList<BlobEntry> entries)
    {
        ManifestWeights? weights = null;
        if (report is not null)
        {
            var (format, groupSize, _) = formats[layer.Name];
            var unrolled = new EquatableList<UnrolledWeight>([]);
            if (plan.Execution == LayerExecution.SparseUnrolled)
            {
                var matrix = WeightMatrix.Of(layer);
                var mask = pruning.Masks[layer.Name];
                var kept = new List<UnrolledWeight>(mask.NonZeros);
                for (var r = 0; r < matrix.Rows; r++)
                {
                    for (var c = 0; c < matrix.Columns; c++)
                    {
                        if (mask.IsKept(r, c))
                        {
                            kept.Add(new UnrolledWeight(r, c, BitConverter.SingleToUInt32Bits(matrix.Values[(r * matrix.Columns) + c])));
                        }
                    }
                }

                unrolled = new(kept);
            }

            weights = new ManifestWeights(
                report.Rows, report.Columns, report.Scheme, report.Sparsity, report.NonZeros, groupSize, format,
                Find(entries, layer.Name, BlobArrayKind.Weights), Find(entries, layer.Name, BlobArrayKind.Bias), unrolled);
        }

        return new ManifestLayer(
            layer.Name, layer.OpType, new(layer.Inputs), layer.Output,
            new(graph.InputShapesOf(layer).Select(s => new EquatableList<int>(s))), new(graph.ShapeOf(layer.Output)),
            ManifestParameters.Of(layer, kind => Find(entries, layer.Name, kind)!), weights, plan.Execution, plan.Reason, plan.Overridden);
    }

    private static BlobLocation? Find(IReadOnlyList<BlobEntry> entries, string layer, BlobArrayKind kind) =>
        entries.FirstOrDefault(e => e.Layer == layer && e.Kind == kind)?.Location;

    private static Tensor? Bias(Layer layer) => layer switch
    {
        ConvLayer conv => conv.Bias,
        FullyConnectedLayer fc => fc.Bias,
        _ => null,
    };

    private static ManifestValue Value(GraphValue v) => new(v.Name, new(v.Shape));
}
