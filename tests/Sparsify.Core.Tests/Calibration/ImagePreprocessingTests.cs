using Sparsify.Core.Calibration;
using Sparsify.Core.Ir;
using Sparsify.Core.Tests.Support;

namespace Sparsify.Core.Tests.Calibration;

[TestClass]
public sealed class ImagePreprocessingTests
{
    private static readonly Shape Input4 = new(1, 3, 4, 4);

    // known.png is 4x4, so resizing its short side to 4 leaves it as it is and the arithmetic is exact.
    private static readonly ImagePreprocessing Exact = new() { ResizeShortSide = 4 };

    [TestMethod]
    public void TheDefaultsAreImageNetsNormalisationInRgb()
    {
        var input = Load(Exact);
        float[] mean = [0.485f, 0.456f, 0.406f];
        float[] std = [0.229f, 0.224f, 0.225f];
        AssertPixels(input, (c, v) => ((v * (1 / 255.0)) - mean[c]) / std[c], bgr: false);
    }

    [TestMethod]
    public void ChannelOrderComesBeforeScaleMeanAndStd()
    {
        // Mean and std are in the model's channel order: here B, G, R.
        float[] mean = [1, 2, 3];
        float[] std = [2, 4, 8];
        var input = Load(Exact with { ChannelOrder = ChannelOrder.Bgr, Scale = 0.5, Mean = mean, Std = std });
        AssertPixels(input, (c, v) => ((v * 0.5) - mean[c]) / std[c], bgr: true);
    }

    [TestMethod]
    public void AMeanImageIsSubtractedAfterTheScaleAndNeedsNoStd()
    {
        var dir = TestData.TempDirectory();
        try
        {
            var meanImage = Enumerable.Range(0, 48).Select(i => i * 0.25f).ToArray();
            var path = Path.Combine(dir, "mean.f32");
            CalibrationFixtures.WriteF32(path, meanImage);
            var input = Load(Exact with { MeanImage = path, Scale = 1, ChannelOrder = ChannelOrder.Bgr });
            for (var c = 0; c < 3; c++)
            {
                for (var i = 0; i < 16; i++)
                {
                    var k = Known(i % 4, i / 4, 2 - c);
                    Assert.AreEqual((float)(k - meanImage[(c * 16) + i]), input[(c * 16) + i]);
                }
            }

            File.WriteAllBytes(path, new byte[4 * 47]);
            CalibrationFixtures.Fails(() => Load(Exact with { MeanImage = path })).AssertNames(path, CalibrationSettings.MeanImage, "needs 48 values");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void AlphaIsDropped()
    {
        CollectionAssert.AreEqual(Load(Exact), Load(Exact, "known-rgba.png"));
    }

    [TestMethod]
    public void ARealPhotoIsResizedCroppedAndNormalised()
    {
        var set = CalibrationSet.Load([CalibrationFixtures.File("rgb.jpg")], new Shape(1, 3, 32, 32), new ImagePreprocessing());
        var input = set.Samples[0].Input;
        Assert.HasCount(3 * 32 * 32, input);
        Assert.IsTrue(input.All(v => v >= -2.2f && v <= 2.7f), "ImageNet-normalised values lie in [-2.12, 2.64]");
    }

    [TestMethod]
    public void DefaultsFollowTheModelInput()
    {
        var resolved = new ImagePreprocessing().Resolve(new Shape(1, 3, 224, 224));
        Assert.AreEqual((224, 224, 256), (resolved.CropHeight, resolved.CropWidth, resolved.ResizeShortSide));
        Assert.AreEqual(1 / 255.0, resolved.Scale);
        Assert.AreEqual(293, new ImagePreprocessing().Resolve(new Shape(1, 3, 256, 256)).ResizeShortSide); // 292.57
        Assert.AreEqual(1.0, new ImagePreprocessing { MeanImage = "prep.onnx" }.Resolve(new Shape(1, 3, 8, 8)).Scale);
        var meanImage = new ImagePreprocessing { MeanImage = "m.f32" }.Resolve(new Shape(1, 3, 8, 8));
        Assert.IsNull(meanImage.Mean);
        Assert.IsNull(meanImage.Std);
    }

    [TestMethod]
    public void ValidateRefusesEachBadSettingByName()
    {
        var input = new Shape(1, 3, 224, 224);
        Invalid(new() { Mean = [0.5f, 0.5f] }, input, null, CalibrationSettings.Mean, "has 2 values [0.5, 0.5] but the model input has 3 channels");
        Invalid(new() { Std = [1, 0, 1] }, input, null, CalibrationSettings.Std, "every value must be finite and above 0");
        Invalid(new() { Std = [1, float.NaN, 1] }, input, null, CalibrationSettings.Std, "NaN");
        Invalid(new() { Mean = [1, float.PositiveInfinity, 1] }, input, null, CalibrationSettings.Mean, "finite");
        Invalid(new() { Scale = 0 }, input, null, CalibrationSettings.Scale, "finite number above 0");
        Invalid(new() { Scale = double.NaN }, input, null, CalibrationSettings.Scale, "finite number above 0");
        Invalid(new() { Size = 0 }, input, null, CalibrationSettings.Size, "from 1 to 8192");
        Invalid(new() { Size = 200 }, input, null, CalibrationSettings.Size, "does not fit the model input");
        Invalid(new() { ResizeShortSide = -1 }, input, null, CalibrationSettings.ResizeShortSide, "from 1 to 8192");
        Invalid(new() { ResizeShortSide = 200 }, input, null, CalibrationSettings.ResizeShortSide, "at least 224");
        Invalid(new() { MeanImage = "mean.bin" }, input, "mean.bin", CalibrationSettings.MeanImage, ".f32");
        Invalid(new() { MeanImage = "mean.f32", Mean = [1, 2, 3] }, input, "mean.f32", CalibrationSettings.Mean, "use one or the other");
        Invalid(new() { MeanImage = "prep.onnx", ChannelOrder = ChannelOrder.Rgb }, input, "prep.onnx", CalibrationSettings.ChannelOrder, "use one or the other");
        Invalid(new() { MeanImage = "prep.onnx", Std = [1, 1, 1] }, input, "prep.onnx", CalibrationSettings.Std, "use one or the other");
        Invalid(new(), new Shape(1, 3, 224), null, CalibrationSettings.Files, "[1, C, H, W]");

        new ImagePreprocessing { MeanImage = "prep.onnx", Size = 200 }.Validate(input);
        new ImagePreprocessing { Mean = [0], Std = [1] }.Validate(new Shape(1, 1, 28, 28));
    }

    private static void Invalid(ImagePreprocessing preprocessing, Shape input, string? file, string setting, string problem) =>
        CalibrationFixtures.Fails(() => preprocessing.Validate(input)).AssertNames(file, setting, problem);

    private static float[] Load(ImagePreprocessing preprocessing, string fixture = "known.png") =>
        CalibrationSet.Load([CalibrationFixtures.File(fixture)], Input4, preprocessing).Samples[0].Input;

    private static int Known(int x, int y, int channel)
    {
        var (r, g, b) = CalibrationFixtures.Known(x, y);
        return channel switch { 0 => r, 1 => g, _ => b };
    }

    private static void AssertPixels(float[] input, Func<int, double, double> expected, bool bgr)
    {
        for (var c = 0; c < 3; c++)
        {
            for (var i = 0; i < 16; i++)
            {
                var value = Known(i % 4, i / 4, bgr ? 2 - c : c);
                Assert.AreEqual((float)expected(c, value), input[(c * 16) + i], $"channel {c} pixel {i}");
            }
        }
    }
}
