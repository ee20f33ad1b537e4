using Sparsify.Core.Calibration;
using Sparsify.Core.Ir;

namespace Sparsify.Benchmarks.Generated;

/// <summary>
/// Real ImageNet photos for ResNet18's rows, split as the main job (samples/ResNet18) splits them: the
/// photos whose WordNet id ends in 0–4 calibrate a fidelity target, and fidelity is measured on the first
/// <see cref="HeldOutCount"/> of the others by name, which no build decision ever sees. Preprocessed by
/// the featurizer package's own ResNetPreprocess.onnx, as that model expects.
/// </summary>
internal static class SamplePhotos
{
    /// <summary>Photos measured per row, as many as the main job measures.</summary>
    public const int HeldOutCount = 100;

    /// <summary>
    /// The photo folder: <c>SPARSIFY_PHOTOS</c>, else the repository's sibling <c>shared/imagenet-sample</c>
    /// where it exists; null when there is none (rows then carry no fidelity).
    /// </summary>
    public static string? Folder { get; } = Find();

    /// <summary>How the photos become ResNet18 inputs.</summary>
    public static ImagePreprocessing Preprocessing { get; } = new() { MeanImage = BenchmarkModels.ResNetPreprocessPath };

    /// <summary>The calibration photos of a fidelity target.</summary>
    public static CalibrationSource Calibration(string folder) => new()
    {
        Files = string.Join(';', Enumerable.Range(0, 5).Select(digit => Path.Combine(folder, $"n???????{digit}_*.jpg"))),
        Preprocessing = Preprocessing,
    };

    /// <summary>The held-out photos as model inputs.</summary>
    public static IReadOnlyList<float[]> HeldOut(string folder, Shape input)
    {
        var files = Directory.GetFiles(folder, "*.jpg")
            .Where(f => Path.GetFileName(f) is var name && name.Length > 9 && name[9] == '_' && name[8] is >= '5' and <= '9')
            .Order(StringComparer.Ordinal)
            .Take(HeldOutCount)
            .ToArray();
        return [.. CalibrationSet.Load(files, input, Preprocessing).Samples.Select(s => s.Input)];
    }

    private static string? Find()
    {
        var folder = Environment.GetEnvironmentVariable("SPARSIFY_PHOTOS") is { Length: > 0 } given
            ? given
            : Path.GetFullPath(Path.Combine(BenchmarkModels.RepoRoot, "..", "shared", "imagenet-sample"));
        return Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*.jpg").Any() ? folder : null;
    }
}
