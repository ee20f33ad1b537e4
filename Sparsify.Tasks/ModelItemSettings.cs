using System.Globalization;
using Microsoft.Build.Framework;
using Sparsify.Core.Calibration;
using Sparsify.Core.Compilation;
using Sparsify.Runtime.Manifests;
using Sparsify.Core.Ir;
using Sparsify.Core.Onnx;
using Sparsify.Core.Sparsity;

namespace Sparsify.Tasks;

/// <summary>The metadata names a <c>SparsifyModel</c> item may carry.</summary>
public static class SparsifyMetadata
{
    /// <summary>Global sparsity target in [0, 1).</summary>
    public const string Sparsity = nameof(Sparsity);

    /// <summary>Scheme name (see <see cref="SparsitySchemes.Names"/>).</summary>
    public const string Scheme = nameof(Scheme);

    /// <summary>Locality group size G.</summary>
    public const string GroupSize = nameof(GroupSize);

    /// <summary>PE count P.</summary>
    public const string PeCount = nameof(PeCount);

    /// <summary>Weight buffer bytes per PE.</summary>
    public const string BufferBytes = nameof(BufferBytes);

    /// <summary>N of the N:M pattern.</summary>
    public const string N = nameof(N);

    /// <summary>M of the N:M pattern.</summary>
    public const string M = nameof(M);

    /// <summary>Layers kept dense, semicolon-separated.</summary>
    public const string ExcludeLayers = nameof(ExcludeLayers);

    /// <summary>Per-layer sparsities: <c>conv2=0.9;fc1=0.95</c>.</summary>
    public const string LayerSparsity = nameof(LayerSparsity);

    /// <summary>Per-layer plans: <c>conv2=SparseUnrolled;fc1=Dense</c>.</summary>
    public const string LayerPlan = nameof(LayerPlan);

    /// <summary>Generated class name; default: the file name in PascalCase.</summary>
    public const string ClassName = nameof(ClassName);

    /// <summary>Generated class namespace.</summary>
    public const string Namespace = nameof(Namespace);

    /// <summary>Shapes for symbolic inputs: <c>input=1x3x224x224</c>, semicolon-separated.</summary>
    public const string InputShape = nameof(InputShape);

    /// <summary>Keep the first convolution dense (true or false).</summary>
    public const string KeepFirstConvDense = nameof(KeepFirstConvDense);

    /// <summary>Calibration images or <c>.f32</c> inputs: a folder, a glob, or files separated by ';' (relative to the project).</summary>
    public const string Calibration = CalibrationSettings.Files;

    /// <summary>Calibration files used at most (default 256).</summary>
    public const string CalibrationCount = CalibrationSettings.Count;

    /// <summary>Fraction of the calibration files held out to measure the result (default 0.2).</summary>
    public const string CalibrationValidationFraction = CalibrationSettings.ValidationFraction;

    /// <summary>Side of the centre crop in pixels (default: the model input's).</summary>
    public const string CalibrationSize = CalibrationSettings.Size;

    /// <summary>Short side after resizing, before the crop (default: crop × 256 / 224).</summary>
    public const string CalibrationResize = CalibrationSettings.ResizeShortSide;

    /// <summary>Channel order of the model input: Rgb (default) or Bgr.</summary>
    public const string CalibrationChannelOrder = CalibrationSettings.ChannelOrder;

    /// <summary>Factor for pixels 0–255 (default 1/255; 1 with a preprocessing model).</summary>
    public const string CalibrationScale = CalibrationSettings.Scale;

    /// <summary>Per-channel mean after scaling, comma-separated (default ImageNet's).</summary>
    public const string CalibrationMean = CalibrationSettings.Mean;

    /// <summary>Per-channel standard deviation, comma-separated (default ImageNet's).</summary>
    public const string CalibrationStd = CalibrationSettings.Std;

    /// <summary>A mean image (<c>.f32</c>) or an ONNX preprocessing model (<c>.onnx</c>), relative to the project.</summary>
    public const string CalibrationMeanImage = CalibrationSettings.MeanImage;

    /// <summary>
    /// A fidelity target in (0, 1] (needs <see cref="Calibration"/>): each layer is planned dense or
    /// sparse so the model is fastest while the validation mean cosine stays at least this;
    /// <see cref="Sparsity"/> becomes the upper bound.
    /// </summary>
    public const string FidelityTarget = nameof(FidelityTarget);

    /// <summary>Every metadata name above, in order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Sparsity, Scheme, GroupSize, PeCount, BufferBytes, N, M, ExcludeLayers, LayerSparsity, LayerPlan, ClassName, Namespace, InputShape, KeepFirstConvDense,
        Calibration, CalibrationCount, CalibrationValidationFraction, CalibrationSize, CalibrationResize, CalibrationChannelOrder, CalibrationScale, CalibrationMean, CalibrationStd, CalibrationMeanImage,
        FidelityTarget,
    ];
}

/// <summary>A metadata problem: a diagnostic code and its message.</summary>
internal sealed class ItemSettingsException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>One item's metadata, parsed and checked (everything that can be checked without the model).</summary>
internal sealed record ModelItemSettings(string ModelPath, string ClassName, string Namespace, CompileOptions Options, OnnxImportOptions Import)
{
    /// <summary>The base of the three output file names: the class's full name.</summary>
    public string BaseName => Namespace.Length == 0 ? ClassName : $"{Namespace}.{ClassName}";

    /// <summary>Parses <paramref name="item"/>'s metadata; throws <see cref="ItemSettingsException"/> for the first bad value.</summary>
    public static ModelItemSettings Parse(ITaskItem item)
    {
        var path = item.GetMetadata("FullPath");
        var scheme = Text(item, SparsifyMetadata.Scheme);
        if (scheme.Length > 0 && !SparsitySchemes.TryGet(scheme, out _))
        {
            throw Bad(SparsifyMetadata.Scheme, scheme, $"one of {string.Join(", ", SparsitySchemes.Names)}");
        }

        var sparsity = Fraction(item, SparsifyMetadata.Sparsity);
        var settings = new SchemeSettings
        {
            GroupSize = Int(item, SparsifyMetadata.GroupSize) ?? SchemeSettings.Default.GroupSize,
            PeCount = Int(item, SparsifyMetadata.PeCount) ?? SchemeSettings.Default.PeCount,
            BufferBytesPerPe = Int(item, SparsifyMetadata.BufferBytes) ?? SchemeSettings.Default.BufferBytesPerPe,
            N = Int(item, SparsifyMetadata.N),
            M = Int(item, SparsifyMetadata.M) ?? SchemeSettings.Default.M,
        };
        try
        {
            settings.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            var metadata = e.ParamName switch
            {
                nameof(SchemeSettings.BufferBytesPerPe) => SparsifyMetadata.BufferBytes,
                { } name => name,
                null => "scheme settings",
            };
            var problem = e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal);
            var firstLine = problem.Split('\n')[0].Trim();
            throw new ItemSettingsException(Diagnostics.BadMetadata, $"{metadata}: {firstLine}");
        }

        var layerSparsities = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (layer, value) in Pairs(item, SparsifyMetadata.LayerSparsity, "LAYER=FRACTION pairs separated by ';', e.g. conv2=0.9;fc1=0.95"))
        {
            layerSparsities[layer] = ParseFraction(SparsifyMetadata.LayerSparsity, value, $"{layer}={value}")
                ?? throw Bad(SparsifyMetadata.LayerSparsity, $"{layer}={value}", "LAYER=FRACTION with FRACTION a number from 0 (inclusive) to 1 (exclusive)");
        }

        var plans = new Dictionary<string, LayerExecution>(StringComparer.Ordinal);
        var planNames = string.Join(", ", Enum.GetNames<LayerExecution>());
        foreach (var (layer, value) in Pairs(item, SparsifyMetadata.LayerPlan, $"LAYER=PLAN pairs separated by ';' with PLAN one of {planNames}"))
        {
            var plan = Enum.GetValues<LayerExecution>().Where(p => string.Equals(p.ToString(), value, StringComparison.OrdinalIgnoreCase)).Select(p => (LayerExecution?)p).FirstOrDefault();
            plans[layer] = plan ?? throw Bad(SparsifyMetadata.LayerPlan, $"{layer}={value}", $"LAYER=PLAN with PLAN one of {planNames}");
        }

        var shapes = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var (input, value) in Pairs(item, SparsifyMetadata.InputShape, "INPUT=DIMS pairs separated by ';' with DIMS positive integers joined by 'x', e.g. input=1x3x224x224"))
        {
            var dims = value.Split('x', 'X');
            var parsed = new int[dims.Length];
            for (var i = 0; i < dims.Length; i++)
            {
                if (!int.TryParse(dims[i].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out parsed[i]) || parsed[i] <= 0)
                {
                    throw Bad(SparsifyMetadata.InputShape, $"{input}={value}", "INPUT=DIMS with DIMS positive integers joined by 'x', e.g. input=1x3x224x224");
                }
            }

            shapes[input] = parsed;
        }

        var className = Text(item, SparsifyMetadata.ClassName);
        if (className.Length == 0)
        {
            className = ModelCompiler.ClassNameOf(Path.GetFileNameWithoutExtension(path));
        }
        else if (!IsIdentifier(className))
        {
            throw Bad(SparsifyMetadata.ClassName, className, "a C# identifier that is not a keyword (a letter or '_' followed by letters, digits or '_')");
        }

        var ns = Text(item, SparsifyMetadata.Namespace);
        if (ns.Length > 0 && !ns.Split('.').All(IsIdentifier))
        {
            throw Bad(SparsifyMetadata.Namespace, ns, "empty or C# identifiers that are not keywords, joined by '.'");
        }

        var keepFirst = true;
        var keepText = Text(item, SparsifyMetadata.KeepFirstConvDense);
        if (keepText.Length > 0 && !bool.TryParse(keepText, out keepFirst))
        {
            throw Bad(SparsifyMetadata.KeepFirstConvDense, keepText, "true or false");
        }

        var options = new CompileOptions
        {
            Sparsity = sparsity,
            Settings = settings,
            ExcludedLayers = Text(item, SparsifyMetadata.ExcludeLayers).Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToArray(),
            LayerSparsities = layerSparsities,
            PlanOverrides = plans,
            KeepFirstConvDense = keepFirst,
            ClassName = className,
            Calibration = ParseCalibration(item),
            FidelityTarget = Target(item),
        };
        if (scheme.Length > 0)
        {
            options = options with { Scheme = SparsitySchemes.Get(scheme).Name };
        }

        return new ModelItemSettings(path, className, ns, options, new OnnxImportOptions { InputShapes = shapes });
    }

    /// <summary>Checks that every layer the metadata names exists in <paramref name="graph"/> (and has weights where it must).</summary>
    public void CheckLayers(ModelGraph graph)
    {
        var prunable = string.Join(", ", graph.Layers.Where(WeightMatrix.IsPrunable).Select(l => l.Name));
        var all = string.Join(", ", graph.Layers.Select(l => l.Name));
        void Check(string metadata, string layer, string value, bool needsWeights)
        {
            var found = graph.Layers.FirstOrDefault(l => string.Equals(l.Name, layer, StringComparison.Ordinal));
            if (found is null || (needsWeights && !WeightMatrix.IsPrunable(found)))
            {
                var problem = found is null ? $"model '{graph.Name}' has no layer '{layer}'" : $"layer '{layer}' is a {found.OpType} and has no weights";
                throw new ItemSettingsException(
                    Diagnostics.BadMetadata,
                    $"{metadata}: '{value}': {problem}; valid layers: {(needsWeights ? prunable : all)}");
            }
        }

        foreach (var layer in Options.ExcludedLayers)
        {
            Check(SparsifyMetadata.ExcludeLayers, layer, layer, needsWeights: true);
        }

        foreach (var (layer, s) in Options.LayerSparsities ?? new Dictionary<string, double>())
        {
            Check(SparsifyMetadata.LayerSparsity, layer, string.Create(CultureInfo.InvariantCulture, $"{layer}={s}"), needsWeights: true);
        }

        foreach (var (layer, plan) in Options.PlanOverrides ?? new Dictionary<string, LayerExecution>())
        {
            Check(SparsifyMetadata.LayerPlan, layer, $"{layer}={plan}", needsWeights: plan != LayerExecution.Dense);
        }
    }

    // Relative paths are the project's: the item's defining project folder (also out of process, where the working folder may differ).
    private static CalibrationSource? ParseCalibration(ITaskItem item)
    {
        var files = Text(item, SparsifyMetadata.Calibration);
        if (files.Length == 0)
        {
            return null;
        }

        var project = Text(item, "SparsifyProjectDirectory") is { Length: > 0 } passed ? passed : Text(item, "DefiningProjectDirectory");
        var baseDirectory = project.Length > 0 ? project : null;
        var count = Int(item, SparsifyMetadata.CalibrationCount) ?? CalibrationSource.DefaultCount;
        if (count <= 0)
        {
            throw Bad(SparsifyMetadata.CalibrationCount, count.ToString(CultureInfo.InvariantCulture), "a positive number of files");
        }

        var order = Text(item, SparsifyMetadata.CalibrationChannelOrder);
        ChannelOrder? channelOrder = order.Length == 0 ? null
            : Enum.GetValues<ChannelOrder>().Where(o => string.Equals(o.ToString(), order, StringComparison.OrdinalIgnoreCase)).Select(o => (ChannelOrder?)o).FirstOrDefault()
              ?? throw Bad(SparsifyMetadata.CalibrationChannelOrder, order, "Rgb or Bgr");
        var meanImage = Text(item, SparsifyMetadata.CalibrationMeanImage);
        return new CalibrationSource
        {
            Files = files,
            BaseDirectory = baseDirectory,
            Count = count,
            ValidationFraction = Fraction(item, SparsifyMetadata.CalibrationValidationFraction) ?? CalibrationSource.DefaultValidationFraction,
            Preprocessing = new ImagePreprocessing
            {
                Size = Int(item, SparsifyMetadata.CalibrationSize),
                ResizeShortSide = Int(item, SparsifyMetadata.CalibrationResize),
                ChannelOrder = channelOrder,
                Scale = Number(item, SparsifyMetadata.CalibrationScale),
                Mean = Numbers(item, SparsifyMetadata.CalibrationMean),
                Std = Numbers(item, SparsifyMetadata.CalibrationStd),
                MeanImage = meanImage.Length == 0 ? null : Path.GetFullPath(meanImage, baseDirectory ?? Directory.GetCurrentDirectory()),
            },
        };
    }

    private static double? Number(ITaskItem item, string name)
    {
        var text = Text(item, name);
        return text.Length == 0 ? null
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value
            : throw Bad(name, text, "a number, e.g. 0.0039215686");
    }

    private static float[]? Numbers(ITaskItem item, string name)
    {
        var text = Text(item, name);
        if (text.Length == 0)
        {
            return null;
        }

        return ImagePreprocessing.TryParseChannels(text, out var values)
            ? values
            : throw Bad(name, text, "numbers separated by ',', one per channel, e.g. 0.485,0.456,0.406");
    }

    private static string Text(ITaskItem item, string name) => item.GetMetadata(name)?.Trim() ?? string.Empty;

    private static ItemSettingsException Bad(string metadata, string value, string valid) =>
        new(Diagnostics.BadMetadata, $"{metadata}: '{value}' is not valid; expected {valid}");

    private static int? Int(ITaskItem item, string name)
    {
        var text = Text(item, name);
        if (text.Length == 0)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Bad(name, text, "an integer");
    }

    private static double? Target(ITaskItem item)
    {
        var text = Text(item, SparsifyMetadata.FidelityTarget);
        if (text.Length == 0)
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && value <= 1
            ? value
            : throw Bad(SparsifyMetadata.FidelityTarget, text, "a mean cosine above 0 and at most 1, e.g. 0.95");
    }

    private static double? Fraction(ITaskItem item, string name)
    {
        var text = Text(item, name);
        return text.Length == 0
            ? null
            : ParseFraction(name, text, text) ?? throw Bad(name, text, "a number from 0 (inclusive) to 1 (exclusive), e.g. 0.9");
    }

    private static double? ParseFraction(string metadata, string text, string shown)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return null;
        }

        return value is >= 0 and < 1 ? value : throw Bad(metadata, shown, "a number from 0 (inclusive) to 1 (exclusive), e.g. 0.9");
    }

    private static IEnumerable<(string Key, string Value)> Pairs(ITaskItem item, string name, string valid)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in Text(item, name).Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = entry.LastIndexOf('=');
            var key = eq > 0 ? entry[..eq].Trim() : string.Empty;
            var value = eq > 0 ? entry[(eq + 1)..].Trim() : string.Empty;
            if (key.Length == 0 || value.Length == 0)
            {
                throw Bad(name, entry, valid);
            }

            if (!seen.Add(key))
            {
                throw Bad(name, entry, $"each name at most once ('{key}' repeats)");
            }

            yield return (key, value);
        }
    }

    // The generator's rule, so a name it would refuse is refused here, at the item.
    private static bool IsIdentifier(string text) => Sparsify.Runtime.Manifests.ManifestFormat.IsTypeName(text);
}
