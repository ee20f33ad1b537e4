using Sparsify.Training.Data;
using Sparsify.Core.Ir;

namespace Sparsify.Training.Tests.Data;

[TestClass]
public sealed class ImageDatasetTests
{
    private static ImageDataset Ordered()
    {
        // 12 samples of 1x1x2, class by class (4 per class), value = sample index.
        var images = Enumerable.Range(0, 12).SelectMany(i => new[] { (float)i, -i }).ToArray();
        var labels = Enumerable.Range(0, 12).Select(i => i / 4).ToArray();
        return new ImageDataset("toy", new Shape(1, 1, 2), images, labels, 3);
    }

    [TestMethod]
    public void SubsampleKeepsEveryClassShare()
    {
        var sub = Ordered().Subsample(6);

        CollectionAssert.AreEqual(new[] { 2, 2, 2 }, sub.ClassCounts());
        CollectionAssert.AreEqual(new[] { 0f, -0f, 2f, -2f }, sub.Images[..4].ToArray());
    }

    [TestMethod]
    public void SliceAndBatchCopyTheRightSamples()
    {
        var data = Ordered();

        var slice = data.Slice(5, 3);
        var batch = data.Batch(5, 3);

        CollectionAssert.AreEqual(new[] { 1, 1, 1 }, slice.Labels.ToArray());
        Assert.AreEqual(new Shape(3, 1, 1, 2), batch.Shape);
        CollectionAssert.AreEqual(new[] { 5f, -5f, 6f, -6f, 7f, -7f }, batch.Data);
        CollectionAssert.AreEqual(batch.Data, slice.Images.ToArray());
    }

    [TestMethod]
    public void BadConstructionIsRejected()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new ImageDataset("x", new Shape(1, 2, 2), new float[7], [0, 1], 2));
        Assert.ThrowsExactly<ArgumentException>(() => new ImageDataset("x", new Shape(1, 2, 2), new float[8], [0, 2], 2));
        Assert.ThrowsExactly<ArgumentException>(() => new ImageDataset("x", new Shape(4), new float[8], [0, 1], 2));
    }
}
