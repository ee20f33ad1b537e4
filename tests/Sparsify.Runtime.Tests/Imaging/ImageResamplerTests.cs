using Sparsify.Runtime.Imaging;

namespace Sparsify.Runtime.Tests.Imaging;

[TestClass]
public sealed class ImageResamplerTests
{
    [TestMethod]
    public void ScaleOneLeavesTheImageUnchanged()
    {
        var (width, height) = (256, 256);
        var pixels = RandomPixels(width, height, 3, seed: 1);
        var planar = ImageResampler.ResizeAndCenterCrop(pixels, width, height, 3, resizeShortSide: 256, cropWidth: 256, cropHeight: 256);
        Assert.AreEqual(3 * width * height, planar.Length);
        for (var c = 0; c < 3; c++)
        {
            for (var i = 0; i < width * height; i++)
            {
                Assert.AreEqual(pixels[(i * 3) + c], planar[(c * width * height) + i], $"channel {c} pixel {i}");
            }
        }
    }

    [TestMethod]
    public void ScaleOneWithACropTakesTheCentre()
    {
        var (width, height) = (9, 6);
        var pixels = RandomPixels(width, height, 3, seed: 2);
        var planar = ImageResampler.ResizeAndCenterCrop(pixels, width, height, 3, resizeShortSide: 6, cropWidth: 4, cropHeight: 3);
        var (left, top) = (2, 2); // round(5 / 2) = 2 and round(3 / 2) = 2, halves to even
        for (var c = 0; c < 3; c++)
        {
            for (var y = 0; y < 3; y++)
            {
                for (var x = 0; x < 4; x++)
                {
                    Assert.AreEqual(pixels[((((top + y) * width) + left + x) * 3) + c], planar[(c * 12) + (y * 4) + x]);
                }
            }
        }
    }

    [TestMethod]
    public void AConstantImageStaysConstant()
    {
        var pixels = Enumerable.Repeat(new byte[] { 17, 130, 254 }, 333 * 500).SelectMany(p => p).ToArray();
        var planar = ImageResampler.ResizeAndCenterCrop(pixels, 333, 500, 3, resizeShortSide: 73, cropWidth: 64, cropHeight: 64);
        for (var c = 0; c < 3; c++)
        {
            var expected = new float[] { 17, 130, 254 }[c];
            for (var i = 0; i < 64 * 64; i++)
            {
                Assert.AreEqual(expected, planar[(c * 4096) + i], 1e-4f);
            }
        }
    }

    [TestMethod]
    public void HalvingUsesTheWidenedTriangleFilter()
    {
        // A 4x2 image halved to 2x1: the triangle's support is 2 source pixels either side, so the
        // horizontal weights are [3, 3, 1] / 7 and [1, 3, 3] / 7 (clipped at the edges), the vertical [1, 1] / 2.
        byte[] row0 = [0, 70, 140, 210];
        byte[] row1 = [10, 20, 30, 40];
        var pixels = new byte[4 * 2 * 3];
        for (var x = 0; x < 4; x++)
        {
            for (var c = 0; c < 3; c++)
            {
                pixels[(x * 3) + c] = (byte)(row0[x] + c);
                pixels[((4 + x) * 3) + c] = (byte)(row1[x] + c);
            }
        }

        var planar = ImageResampler.ResizeAndCenterCrop(pixels, 4, 2, 3, resizeShortSide: 1, cropWidth: 2, cropHeight: 1);
        double H(byte[] row, int c, int output) => output == 0
            ? ((3.0 * (row[0] + c)) + (3.0 * (row[1] + c)) + (row[2] + c)) / 7
            : ((row[1] + c) + (3.0 * (row[2] + c)) + (3.0 * (row[3] + c))) / 7;
        for (var c = 0; c < 3; c++)
        {
            for (var x = 0; x < 2; x++)
            {
                Assert.AreEqual((H(row0, c, x) + H(row1, c, x)) / 2, planar[(c * 2) + x], 1e-4, $"channel {c} x {x}");
            }
        }
    }

    [TestMethod]
    public void TheCropEqualsTheSameWindowOfTheFullResize()
    {
        var (width, height) = (123, 77);
        var pixels = RandomPixels(width, height, 4, seed: 3);
        var (outWidth, outHeight) = ImageResampler.ResizedSize(width, height, 40);
        Assert.AreEqual((63, 40), (outWidth, outHeight));
        var full = ImageResampler.ResizeAndCenterCrop(pixels, width, height, 4, 40, outWidth, outHeight);
        var crop = ImageResampler.ResizeAndCenterCrop(pixels, width, height, 4, 40, cropWidth: 30, cropHeight: 21);
        var (left, top) = ImageResampler.CenterCropOffset(outWidth, outHeight, 30, 21);
        Assert.AreEqual((16, 10), (left, top)); // round(16.5) = 16 and round(9.5) = 10, halves to even
        for (var c = 0; c < 3; c++)
        {
            for (var y = 0; y < 21; y++)
            {
                for (var x = 0; x < 30; x++)
                {
                    Assert.AreEqual(full[(c * outWidth * outHeight) + ((top + y) * outWidth) + left + x], crop[(c * 630) + (y * 30) + x]);
                }
            }
        }
    }

    [TestMethod]
    public void ResizedSizeScalesTheLongSideAndTruncatesAsTorchvision()
    {
        Assert.AreEqual((341, 256), ImageResampler.ResizedSize(500, 375, 256));
        Assert.AreEqual((256, 341), ImageResampler.ResizedSize(375, 500, 256));
        Assert.AreEqual((256, 256), ImageResampler.ResizedSize(640, 640, 256));
        Assert.AreEqual((4, 3), ImageResampler.ResizedSize(3, 2, 3)); // 4.5 truncated
    }

    [TestMethod]
    public void CropOffsetsRoundHalvesToEven()
    {
        Assert.AreEqual((58, 16), ImageResampler.CenterCropOffset(341, 256, 224, 224));
        Assert.AreEqual((2, 2), ImageResampler.CenterCropOffset(5, 7, 2, 2)); // 1.5 → 2, 2.5 → 2
        Assert.AreEqual((0, 0), ImageResampler.CenterCropOffset(8, 8, 8, 8));
    }

    [TestMethod]
    public void BadArgumentsAreRefused()
    {
        var pixels = new byte[4 * 4 * 3];
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageResampler.ResizeAndCenterCrop(pixels, 4, 4, 1, 4, 4, 4));
        Assert.ThrowsExactly<ArgumentException>(() => ImageResampler.ResizeAndCenterCrop(pixels, 4, 5, 3, 4, 4, 4));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageResampler.ResizeAndCenterCrop(pixels, 4, 4, 3, 4, 5, 4));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageResampler.ResizeAndCenterCrop(pixels, 4, 4, 3, 0, 4, 4));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageResampler.ResizeAndCenterCrop(pixels, 0, 4, 3, 4, 4, 4));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageResampler.ResizedSize(1, int.MaxValue, 2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageResampler.CenterCropOffset(4, 4, 0, 4));
    }

    private static byte[] RandomPixels(int width, int height, int components, int seed)
    {
        var pixels = new byte[width * height * components];
        new Random(seed).NextBytes(pixels);
        return pixels;
    }
}
