using System.IO.Enumeration;
using Microsoft.ML.OnnxRuntime;
using Sparsify.Runtime.Imaging;
using StbImageSharp;

namespace Sparsify.Samples;

/// <summary>
/// Real photos as the featurizer expects them: decoded (StbImageSharp), short side resized to 256 and
/// centre-cropped to 224×224 (Sparsify.Runtime's resampler, the one the build's calibration uses),
/// then through the package's own ResNetPreprocess.onnx (RGB 0–255 to BGR minus the mean image).
/// </summary>
internal sealed class Photos : IDisposable
{
    private const int Crop = 224;
    private const int ShortSide = 256;
    private readonly InferenceSession _preprocess;

    public Photos(string preprocessModel) =>
        _preprocess = new InferenceSession(preprocessModel, new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 });

    /// <summary>
    /// The photos of <paramref name="folder"/> that no pattern of the build's calibration spec
    /// (<paramref name="calibration"/>: ';'-separated globs, as ResNet18.csproj gives them) matches, sorted by name.
    /// </summary>
    public static string[] HeldOut(string folder, string calibration)
    {
        var patterns = calibration.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Path.GetFileName).ToArray();
        return [.. Directory.GetFiles(folder, "*.jpg")
            .Where(f => !patterns.Any(p => FileSystemName.MatchesSimpleExpression(p, Path.GetFileName(f))))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>The model input for one photo: [1, 3, 224, 224].</summary>
    public float[] Load(string path)
    {
        using var stream = File.OpenRead(path);
        var image = ImageResult.FromStream(stream, ColorComponents.RedGreenBlue);
        var rgb = ImageResampler.ResizeAndCenterCrop(image.Data, image.Width, image.Height, 3, ShortSide, Crop, Crop);
        using var input = OrtValue.CreateTensorValueFromMemory(rgb, [1, 3, Crop, Crop]);
        using var outputs = _preprocess.Run(new RunOptions(), [_preprocess.InputNames[0]], [input], [_preprocess.OutputNames[0]]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public void Dispose() => _preprocess.Dispose();

    // WordNet ids ending in 5 to 9; those ending in 0 to 4 are the build's calibration photos.
}
