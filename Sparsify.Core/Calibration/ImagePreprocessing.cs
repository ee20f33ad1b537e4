using System.Globalization;
using Sparsify.Core.Ir;

namespace Sparsify.Core.Calibration;

/// <summary>The order of the colour channels in the model's input.</summary>
public enum ChannelOrder
{
    /// <summary>Red, green, blue: torchvision's order.</summary>
    Rgb,

    /// <summary>Blue, green, red: Caffe's and OpenCV's order.</summary>
    Bgr,
}

/// <summary>
/// How a calibration photo becomes a model input tensor [1, C, H, W]. Every setting left null takes
/// the default documented on it; the defaults are torchvision's ImageNet evaluation transform
/// (<c>Resize(256)</c>, <c>CenterCrop(224)</c>, <c>ToTensor()</c>, <c>Normalize(mean, std)</c>)
/// scaled to the model's input size.
/// </summary>
/// <remarks>
/// <para>The order of operations, each on the result of the one before:</para>
/// <list type="number">
/// <item>decode the JPEG or PNG to 8-bit RGB (an alpha channel is dropped; a grayscale image is refused);</item>
/// <item>resize so the short side becomes <see cref="ResizeShortSide"/> (antialiased bilinear), then
/// centre crop <see cref="Size"/>×<see cref="Size"/>: a planar RGB tensor of values 0–255;</item>
/// <item>reorder the channels to <see cref="ChannelOrder"/>;</item>
/// <item>multiply by <see cref="Scale"/>;</item>
/// <item>subtract the <see cref="MeanImage"/> tensor (a <c>.f32</c> file), or else <see cref="Mean"/> per channel;</item>
/// <item>divide by <see cref="Std"/> per channel.</item>
/// </list>
/// <para>When <see cref="MeanImage"/> names an <c>.onnx</c> preprocessing model, steps 3, 5 and 6 are
/// the model's: the RGB 0–255 crop times <see cref="Scale"/> is fed to it as [1, 3, H, W] and its
/// output is the model input, so <see cref="ChannelOrder"/>, <see cref="Mean"/> and <see cref="Std"/>
/// must then be left null.</para>
/// <para><c>.f32</c> calibration files are model inputs already; no preprocessing applies to them.</para>
/// </remarks>
public sealed record ImagePreprocessing
{
    /// <summary>The mean torchvision's ImageNet models subtract, per RGB channel, in units of 0–1.</summary>
    public static readonly IReadOnlyList<float> ImageNetMean = [0.485f, 0.456f, 0.406f];

    /// <summary>The standard deviation torchvision's ImageNet models divide by, per RGB channel.</summary>
    public static readonly IReadOnlyList<float> ImageNetStd = [0.229f, 0.224f, 0.225f];

    /// <summary>
    /// The side of the square centre crop, in pixels. Null: the model input's H×W (which may then be
    /// non-square). Without a preprocessing model it must equal the model input's H and W.
    /// </summary>
    public int? Size { get; init; }

    /// <summary>
    /// The short side's length after resizing, before the crop. Null: round(crop × 256 / 224), halves
    /// away from zero, as ImageNet evaluation resizes to 256 for a 224 crop (the larger crop side for a
    /// non-square crop). It must be at least the crop's larger side.
    /// </summary>
    public int? ResizeShortSide { get; init; }

    /// <summary>The channel order of the model input. Null: <see cref="Calibration.ChannelOrder.Rgb"/>.</summary>
    public ChannelOrder? ChannelOrder { get; init; }

    /// <summary>The factor pixels 0–255 are multiplied by. Null: 1/255, or 1 when <see cref="MeanImage"/> is an <c>.onnx</c> model.</summary>
    public double? Scale { get; init; }

    /// <summary>
    /// Subtracted per channel (in the model's channel order) after scaling. Null: torchvision's ImageNet
    /// mean <see cref="ImageNetMean"/> [0.485, 0.456, 0.406] when no <see cref="MeanImage"/> is given,
    /// else nothing. One value per model input channel.
    /// </summary>
    public IReadOnlyList<float>? Mean { get; init; }

    /// <summary>
    /// Divides each channel after the mean is subtracted. Null: torchvision's ImageNet std
    /// <see cref="ImageNetStd"/> [0.229, 0.224, 0.225] when no <see cref="MeanImage"/> is given, else 1.
    /// One positive value per model input channel.
    /// </summary>
    public IReadOnlyList<float>? Std { get; init; }

    /// <summary>
    /// A file with the mean to subtract, instead of <see cref="Mean"/>: either a raw little-endian
    /// float32 <c>.f32</c> tensor shaped as the crop [C, H, W], subtracted after the channel order and
    /// the scale; or an <c>.onnx</c> preprocessing model (see <see cref="PreprocessingModel"/>).
    /// A relative path is taken from the current directory.
    /// </summary>
    public string? MeanImage { get; init; }

    /// <summary>
    /// Reads per-channel values written as numbers separated by ',' (invariant culture), the form the
    /// <c>CalibrationMean</c>/<c>CalibrationStd</c> metadata and the <c>--mean</c>/<c>--std</c> options share.
    /// </summary>
    public static bool TryParseChannels(string text, out float[] values)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        values = new float[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
            {
                values = [];
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether <see cref="MeanImage"/> names an ONNX preprocessing model.</summary>
    public bool HasPreprocessingModel => MeanImage is not null && MeanImage.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Checks the settings against the model input [1, C, H, W]: sizes positive and consistent, the
    /// scale finite and positive, <see cref="Mean"/> and <see cref="Std"/> of C finite values (std
    /// positive), and no setting the preprocessing model or mean image excludes. Files are not read.
    /// </summary>
    /// <exception cref="CalibrationDataException">A setting is wrong; <see cref="CalibrationDataException.Setting"/> names it.</exception>
    public void Validate(Shape modelInput) => _ = Resolve(modelInput);

    /// <summary>The settings with every default filled in, checked against <paramref name="modelInput"/>.</summary>
    internal ResolvedPreprocessing Resolve(Shape modelInput)
    {
        ArgumentNullException.ThrowIfNull(modelInput);
        if (modelInput.Rank != 4 || modelInput[0] != 1)
        {
            throw new CalibrationDataException($"calibration needs a model input shaped [1, C, H, W]; this model's input is {modelInput}", setting: CalibrationSettings.Files);
        }

        var (channels, height, width) = (modelInput[1], modelInput[2], modelInput[3]);
        var model = HasPreprocessingModel;
        if (MeanImage is not null)
        {
            CheckMeanImage(model);
        }

        int cropHeight = height, cropWidth = width;
        if (Size is { } size)
        {
            if (size is <= 0 or > ImageFiles.MaxSide)
            {
                throw Setting(CalibrationSettings.Size, $"the crop size must be from 1 to {ImageFiles.MaxSide} pixels, got {Format(size)}");
            }

            if (!model && (size != height || size != width))
            {
                throw Setting(CalibrationSettings.Size, $"a {Format(size)}x{Format(size)} crop does not fit the model input {modelInput}, which needs {Format(height)}x{Format(width)}; leave the size unset or give a preprocessing model that maps the crop to the input");
            }

            (cropHeight, cropWidth) = (size, size);
        }

        var largest = Math.Max(cropHeight, cropWidth);
        var resize = ResizeShortSide ?? (int)Math.Round(largest * 256.0 / 224.0, MidpointRounding.AwayFromZero);
        if (resize <= 0 || resize > ImageFiles.MaxSide)
        {
            throw Setting(CalibrationSettings.ResizeShortSide, $"the resize must be from 1 to {ImageFiles.MaxSide} pixels, got {Format(resize)}");
        }

        if (resize < largest)
        {
            throw Setting(CalibrationSettings.ResizeShortSide, $"resizing the short side to {Format(resize)} pixels leaves too little for the {Format(cropHeight)}x{Format(cropWidth)} crop; it must be at least {Format(largest)}");
        }

        var scale = Scale ?? (model ? 1.0 : 1.0 / 255.0);
        if (!double.IsFinite(scale) || scale <= 0)
        {
            throw Setting(CalibrationSettings.Scale, $"the scale must be a finite number above 0, got {scale.ToString("R", CultureInfo.InvariantCulture)}");
        }

        var defaults = MeanImage is null;
        var mean = Channels(Mean, CalibrationSettings.Mean, channels, positive: false) ?? (defaults ? Defaults(ImageNetMean, channels) : null);
        var std = Channels(Std, CalibrationSettings.Std, channels, positive: true) ?? (defaults ? Defaults(ImageNetStd, channels) : null);
        return new ResolvedPreprocessing(
            modelInput, cropHeight, cropWidth, resize, (ChannelOrder ?? Calibration.ChannelOrder.Rgb) == Calibration.ChannelOrder.Bgr, scale, mean, std,
            MeanImage is null ? null : FullPath(MeanImage), model);
    }

    private static string FullPath(string path)
    {
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException or System.Security.SecurityException)
        {
            throw new CalibrationDataException($"not a usable path: {e.Message}", path, CalibrationSettings.MeanImage, e);
        }
    }

    private void CheckMeanImage(bool model)
    {
        if (!model && !MeanImage!.EndsWith(".f32", StringComparison.OrdinalIgnoreCase))
        {
            throw new CalibrationDataException("the mean image must be a raw float32 tensor (.f32) or an ONNX preprocessing model (.onnx)", MeanImage, CalibrationSettings.MeanImage);
        }

        string? conflict = model
            ? (ChannelOrder is not null ? CalibrationSettings.ChannelOrder : Mean is not null ? CalibrationSettings.Mean : Std is not null ? CalibrationSettings.Std : null)
            : (Mean is not null ? CalibrationSettings.Mean : null);
        if (conflict is not null)
        {
            var what = model ? "the preprocessing model does the channel order, mean and std itself" : "the mean image is the mean";
            throw new CalibrationDataException($"{conflict} is set together with {CalibrationSettings.MeanImage}, but {what}; use one or the other", MeanImage, conflict);
        }
    }

    private static float[]? Channels(IReadOnlyList<float>? values, string setting, int channels, bool positive)
    {
        if (values is null)
        {
            return null;
        }

        if (values.Count != channels)
        {
            throw Setting(setting, $"{setting} has {Format(values.Count)} values [{Join(values)}] but the model input has {Format(channels)} channels; give one value per channel");
        }

        foreach (var v in values)
        {
            if (!float.IsFinite(v) || (positive && v <= 0))
            {
                throw Setting(setting, $"{setting} [{Join(values)}] holds {v.ToString("R", CultureInfo.InvariantCulture)}; every value must be finite{(positive ? " and above 0" : string.Empty)}");
            }
        }

        return [.. values];
    }

    // Images need 3 channels, so for any other model the defaults never apply (its .f32 inputs are used as they are).
    private static float[]? Defaults(IReadOnlyList<float> imageNet, int channels) => channels == imageNet.Count ? [.. imageNet] : null;

    private static CalibrationDataException Setting(string setting, string problem) => new(problem, setting: setting);

    private static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Join(IReadOnlyList<float> values) => string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
}

/// <summary>
/// <see cref="ImagePreprocessing"/> with every default filled in, for one model input.
/// <see cref="Mean"/> and <see cref="Std"/> are null when nothing is subtracted or divided.
/// </summary>
internal sealed record ResolvedPreprocessing(
    Shape ModelInput, int CropHeight, int CropWidth, int ResizeShortSide, bool Bgr, double Scale,
    float[]? Mean, float[]? Std, string? MeanImagePath, bool MeanImageIsModel);
