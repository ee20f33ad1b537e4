using Sparsify.Core.Calibration;
using Sparsify.Core.Ir;

namespace Sparsify.Core.Tests.Calibration;

/// <summary>Real ImageNet photos (shared/imagenet-sample, when present) through the whole pipeline.</summary>
[TestClass]
public sealed class RealPhotoTests
{
    private static readonly Shape ResNetInput = new(1, 3, 224, 224);

    [TestMethod]
    public void EightPhotosLoadAt224WithImageNetNormalisation()
    {
        var files = CalibrationFiles.Select(CalibrationFiles.Resolve(CalibrationFixtures.ImageNetSample(), null), 8);
        Assert.HasCount(8, files);
        var set = CalibrationSet.Load(files, ResNetInput, new ImagePreprocessing());
        Assert.HasCount(8, set.Samples);
        foreach (var sample in set.Samples)
        {
            Assert.HasCount(ResNetInput.ElementCount, sample.Input);

            // (0 − 0.485) / 0.229 = −2.118 is the lowest, (1 − 0.406) / 0.225 = 2.640 the highest.
            Assert.IsTrue(sample.Input.All(v => float.IsFinite(v) && v >= -2.119f && v <= 2.641f), sample.Path);

            // A photo is no flat field: its values spread.
            Assert.IsGreaterThan(0.5f, sample.Input.Max() - sample.Input.Min(), sample.Path);
        }

        // Loading again gives the same bits.
        var again = CalibrationSet.Load(files, ResNetInput, new ImagePreprocessing());
        for (var i = 0; i < 8; i++)
        {
            CollectionAssert.AreEqual(set.Samples[i].Input, again.Samples[i].Input);
        }
    }

    [TestMethod]
    [TestCategory("RealModel")]
    public void ThroughResNetPreprocessThePhotosAreBgrMinusTheMeanImage()
    {
        var model = CalibrationFixtures.ResNetPreprocess();
        var files = CalibrationFiles.Select(CalibrationFiles.Resolve(CalibrationFixtures.ImageNetSample(), null), 8);
        var plain = CalibrationSet.Load(files, ResNetInput, new ImagePreprocessing { Scale = 1, Mean = [0, 0, 0], Std = [1, 1, 1] });
        var prepared = CalibrationSet.Load(files, ResNetInput, new ImagePreprocessing { MeanImage = model });
        var meanImage = PreprocessingModel.Load(model).Run(new Tensor(ResNetInput)).Data; // zeros in: minus the mean image out
        const int plane = 224 * 224;
        for (var s = 0; s < 8; s++)
        {
            var rgb = plain.Samples[s].Input;
            Assert.IsTrue(rgb.All(v => v is >= 0 and <= 255), plain.Samples[s].Path);
            var input = prepared.Samples[s].Input;
            for (var c = 0; c < 3; c++)
            {
                for (var i = 0; i < plane; i++)
                {
                    Assert.AreEqual(rgb[((2 - c) * plane) + i] + meanImage[(c * plane) + i], input[(c * plane) + i], 1e-4f);
                }
            }
        }
    }
}
