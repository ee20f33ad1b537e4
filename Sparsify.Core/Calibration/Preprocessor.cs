using System.Globalization;
using Sparsify.Core.Ir;
using Sparsify.Runtime.Imaging;

namespace Sparsify.Core.Calibration;

/// <summary>
/// Applies resolved <see cref="ImagePreprocessing"/> to image files, with its mean image or
/// preprocessing model read once. Safe to use from several threads: it holds nothing mutable.
/// </summary>
internal sealed class Preprocessor
{
    private readonly ResolvedPreprocessing _settings;
    private readonly float[]? _meanImage;
    private readonly PreprocessingModel? _model;

    private Preprocessor(ResolvedPreprocessing settings, float[]? meanImage, PreprocessingModel? model)
    {
        _settings = settings;
        _meanImage = meanImage;
        _model = model;
    }

    private Shape CropShape => new(1, 3, _settings.CropHeight, _settings.CropWidth);

    /// <summary>Reads the mean image or preprocessing model, and checks the model maps the crop to the model input.</summary>
    public static Preprocessor Create(ResolvedPreprocessing settings)
    {
        if (settings.MeanImagePath is not { } path)
        {
            return new Preprocessor(settings, null, null);
        }

        if (!settings.MeanImageIsModel)
        {
            var count = 3 * settings.CropHeight * settings.CropWidth;
            return new Preprocessor(settings, ImageFiles.ReadTensor(path, count, CalibrationSettings.MeanImage), null);
        }

        var model = PreprocessingModel.Load(path);
        var preprocessor = new Preprocessor(settings, null, model);

        // One run on zeros tells whether the output fits, before any image is decoded.
        var crop = preprocessor.CropShape;
        var output = model.Run(new Tensor(crop));
        if (!output.Shape.Equals(settings.ModelInput))
        {
            throw new CalibrationDataException(
                $"the preprocessing model turns the {crop} crop into {output.Shape}, but the model input is {settings.ModelInput}",
                path, CalibrationSettings.MeanImage);
        }

        return preprocessor;
    }

    /// <summary>The model input [1, 3, H, W] made from the image at <paramref name="path"/>.</summary>
    public float[] Apply(string path)
    {
        var image = ImageFiles.ReadImage(path, CalibrationSettings.Files);
        var (cropHeight, cropWidth) = (_settings.CropHeight, _settings.CropWidth);
        var largest = Math.Max(cropHeight, cropWidth);
        if (Math.Min(image.Width, image.Height) < largest)
        {
            throw new CalibrationDataException(
                $"the image is {Format(image.Width)}x{Format(image.Height)}; its short side is smaller than the {Format(cropWidth)}x{Format(cropHeight)} crop, and small images are not scaled up",
                path, CalibrationSettings.Files);
        }

        var rgb = ImageResampler.ResizeAndCenterCrop(image.Pixels, image.Width, image.Height, 3, _settings.ResizeShortSide, cropWidth, cropHeight);
        var scale = _settings.Scale;
        if (_model is not null)
        {
            if (scale != 1.0)
            {
                for (var i = 0; i < rgb.Length; i++)
                {
                    rgb[i] = (float)(rgb[i] * scale);
                }
            }

            var output = _model.Run(new Tensor(CropShape, rgb));
            return output.Shape.Equals(_settings.ModelInput)
                ? output.Data
                : throw new CalibrationDataException($"the preprocessing model's output is {output.Shape}, not the model input {_settings.ModelInput}", _model.Path, CalibrationSettings.MeanImage);
        }

        var plane = cropHeight * cropWidth;
        var input = new float[3 * plane];
        for (var c = 0; c < 3; c++)
        {
            var source = _settings.Bgr ? 2 - c : c;
            var mean = _settings.Mean?[c] ?? 0.0;
            var std = _settings.Std?[c] ?? 1.0;
            for (var i = 0; i < plane; i++)
            {
                var value = rgb[(source * plane) + i] * scale;
                value -= _meanImage is null ? mean : _meanImage[(c * plane) + i];
                input[(c * plane) + i] = (float)(value / std);
            }
        }

        return input;
    }

    private static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);
}
