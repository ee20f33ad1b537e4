using System.CommandLine;
using Sparsify.Core.Calibration;

namespace Sparsify.Cli.Commands;

/// <summary>
/// The <c>--calibration</c> option and the image preprocessing options shared by the commands that
/// read real images; they become one <see cref="CalibrationSource"/>, as the build's metadata do.
/// </summary>
internal sealed class CalibrationOptions
{
    private readonly Option<string?> _files;
    private readonly Option<int> _count = new("--calibration-count") { Description = "Files used at most, evenly spaced over the sorted list.", HelpName = "N", DefaultValueFactory = _ => CalibrationSource.DefaultCount };
    private readonly Option<double> _validation = new("--validation-fraction") { Description = "Fraction of the files held out for validation, never calibrated on.", HelpName = "F", DefaultValueFactory = _ => CalibrationSource.DefaultValidationFraction };
    private readonly Option<int?> _size = new("--size") { Description = "Side of the centre crop (default: the model input's).", HelpName = "PIXELS" };
    private readonly Option<int?> _resize = new("--resize") { Description = "Short side after resizing, before the crop (default: crop × 256 / 224).", HelpName = "PIXELS" };
    private readonly Option<ChannelOrder?> _channels = new("--channel-order") { Description = "Channel order of the model input: Rgb (default) or Bgr." };
    private readonly Option<double?> _scale = new("--scale") { Description = "Factor for pixels 0-255 (default 1/255; 1 with a preprocessing model)." };
    private readonly Option<string?> _mean = new("--mean") { Description = "Per-channel mean after scaling, as A,B,C (default: ImageNet's 0.485,0.456,0.406).", HelpName = "A,B,C" };
    private readonly Option<string?> _std = new("--std") { Description = "Per-channel std, as A,B,C (default: ImageNet's 0.229,0.224,0.225).", HelpName = "A,B,C" };
    private readonly Option<string?> _meanImage = new("--mean-image") { Description = "A mean image (.f32, the crop's [C,H,W]) or an ONNX preprocessing model (.onnx) such as ResNetPreprocess.onnx.", HelpName = "FILE" };

    public CalibrationOptions(string name, string description) =>
        _files = new Option<string?>(name) { Description = description, HelpName = "DIR|GLOB" };

    /// <summary>The file option itself, for commands that need to know whether it was given.</summary>
    public Option<string?> Files => _files;

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _files, _count, _validation, _size, _resize, _channels, _scale, _mean, _std, _meanImage })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The source the options describe, or null when no files were given.</summary>
    public CalibrationSource? Read(ParseResult parse) => parse.GetValue(_files) is { } files
        ? ReadFor(parse, files)
        : null;

    /// <summary>The source for <paramref name="files"/> with the preprocessing options of <paramref name="parse"/>.</summary>
    public CalibrationSource ReadFor(ParseResult parse, string files) => new()
    {
        Files = files,
        Count = parse.GetValue(_count),
        ValidationFraction = parse.GetValue(_validation),
        Preprocessing = new ImagePreprocessing
        {
            Size = parse.GetValue(_size),
            ResizeShortSide = parse.GetValue(_resize),
            ChannelOrder = parse.GetValue(_channels),
            Scale = parse.GetValue(_scale),
            Mean = Floats(parse.GetValue(_mean), "--mean"),
            Std = Floats(parse.GetValue(_std), "--std"),
            MeanImage = parse.GetValue(_meanImage),
        },
    };

    private static float[]? Floats(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        return ImagePreprocessing.TryParseChannels(text, out var values)
            ? values
            : throw new CliException($"{option} '{text}' is not a comma-separated list of numbers, e.g. 0.485,0.456,0.406");
    }
}
