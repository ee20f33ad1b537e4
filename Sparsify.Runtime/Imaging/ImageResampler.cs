namespace Sparsify.Runtime.Imaging;

/// <summary>
/// Turns an 8-bit interleaved image into a planar float tensor the way ImageNet evaluation prepares
/// one: resize so the short side has a given length, then centre crop. The resize is the
/// antialiased bilinear (triangle) filter of PIL's <c>Image.resize</c> and torchvision's
/// <c>Resize</c>: when downscaling, the filter's support widens by the scale factor, so every source
/// pixel contributes and nothing aliases.
/// </summary>
/// <remarks>
/// The resize is separable, horizontal pass first, then vertical (PIL's order), computed in double
/// precision with a float intermediate and without PIL's 8-bit rounding between passes; values stay in
/// the source range 0–255. At scale 1 every weight is exactly 1 or 0, so the image is unchanged. Only
/// the pixels inside the crop are computed; they equal those of a full resize followed by the crop.
/// The result is deterministic: the same input gives the same bits on every machine.
/// </remarks>
public static class ImageResampler
{
    // The triangle filter's support at scale 1, in source pixels either side of the centre.
    private const double TriangleSupport = 1.0;

    /// <summary>
    /// The size an image of <paramref name="width"/>×<paramref name="height"/> takes when its short side
    /// becomes <paramref name="shortSide"/>: the long side is scaled by the same factor and truncated,
    /// as torchvision's <c>Resize(int)</c> computes it (<c>int(shortSide × long / short)</c>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the long side overflows.</exception>
    public static (int Width, int Height) ResizedSize(int width, int height, int shortSide)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shortSide);
        if (width == height)
        {
            return (shortSide, shortSide);
        }

        var (shortIn, longIn) = width < height ? (width, height) : (height, width);
        var longOut = (long)shortSide * longIn / shortIn;
        if (longOut > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(shortSide), shortSide, $"resizing {width}x{height} to short side {shortSide} gives a long side of {longOut} pixels, too many");
        }

        // Integer division truncates as Python's int() does for these positive values.
        return width < height ? (shortSide, (int)longOut) : ((int)longOut, shortSide);
    }

    /// <summary>
    /// The left and top offsets of a <paramref name="cropWidth"/>×<paramref name="cropHeight"/> centre
    /// crop of a <paramref name="width"/>×<paramref name="height"/> image, rounded as torchvision's
    /// <c>CenterCrop</c> rounds them: <c>round((width − cropWidth) / 2)</c>, halves to even (Python's round).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the crop is larger than the image.</exception>
    public static (int Left, int Top) CenterCropOffset(int width, int height, int cropWidth, int cropHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cropWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cropHeight);
        if (cropWidth > width || cropHeight > height)
        {
            throw new ArgumentOutOfRangeException(nameof(cropWidth), $"a {cropWidth}x{cropHeight} crop does not fit a {width}x{height} image");
        }

        return ((int)Math.Round((width - cropWidth) / 2.0, MidpointRounding.ToEven), (int)Math.Round((height - cropHeight) / 2.0, MidpointRounding.ToEven));
    }

    /// <summary>
    /// Resizes <paramref name="pixels"/> so the short side becomes <paramref name="resizeShortSide"/>
    /// (see <see cref="ResizedSize"/>), then takes the centre <paramref name="cropWidth"/>×<paramref name="cropHeight"/>
    /// crop (see <see cref="CenterCropOffset"/>).
    /// </summary>
    /// <param name="pixels">Rows top to bottom, each pixel's components interleaved (RGB or RGBA; alpha is ignored).</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    /// <param name="components">Bytes per pixel: 3 (RGB) or 4 (RGBA).</param>
    /// <param name="resizeShortSide">The length of the short side after resizing.</param>
    /// <param name="cropWidth">Width of the centre crop, at most the resized width.</param>
    /// <param name="cropHeight">Height of the centre crop, at most the resized height.</param>
    /// <returns>A planar tensor [3, cropHeight, cropWidth] in the source's channel order, values 0–255.</returns>
    /// <exception cref="ArgumentException">The sizes disagree with <paramref name="pixels"/>, or the crop does not fit.</exception>
    public static float[] ResizeAndCenterCrop(ReadOnlySpan<byte> pixels, int width, int height, int components, int resizeShortSide, int cropWidth, int cropHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (components is not (3 or 4))
        {
            throw new ArgumentOutOfRangeException(nameof(components), components, "components must be 3 (RGB) or 4 (RGBA)");
        }

        var expected = (long)width * height * components;
        if (pixels.Length != expected)
        {
            throw new ArgumentException($"a {width}x{height} image of {components} components needs {expected} bytes, got {pixels.Length}", nameof(pixels));
        }

        var (outWidth, outHeight) = ResizedSize(width, height, resizeShortSide);
        var (left, top) = CenterCropOffset(outWidth, outHeight, cropWidth, cropHeight);
        if ((long)cropWidth * cropHeight * 3 > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(cropWidth), $"a {cropWidth}x{cropHeight} crop is too large");
        }

        var columns = Filter.Compute(width, outWidth, left, cropWidth);
        var rows = Filter.Compute(height, outHeight, top, cropHeight);

        // Only the source rows some output row reads go through the horizontal pass.
        var firstRow = rows.First;
        var rowCount = rows.End - firstRow;
        var horizontal = new float[(long)rowCount * cropWidth * 3];
        for (var y = 0; y < rowCount; y++)
        {
            var source = pixels.Slice((firstRow + y) * width * components, width * components);
            var target = horizontal.AsSpan(y * cropWidth * 3, cropWidth * 3);
            for (var x = 0; x < cropWidth; x++)
            {
                double r = 0, g = 0, b = 0;
                var start = columns.Start[x];
                var weights = columns.Weights(x);
                for (var k = 0; k < weights.Length; k++)
                {
                    var p = (start + k) * components;
                    r += weights[k] * source[p];
                    g += weights[k] * source[p + 1];
                    b += weights[k] * source[p + 2];
                }

                target[x * 3] = (float)r;
                target[(x * 3) + 1] = (float)g;
                target[(x * 3) + 2] = (float)b;
            }
        }

        var plane = cropWidth * cropHeight;
        var output = new float[plane * 3];
        for (var y = 0; y < cropHeight; y++)
        {
            var start = rows.Start[y] - firstRow;
            var weights = rows.Weights(y);
            for (var x = 0; x < cropWidth; x++)
            {
                double r = 0, g = 0, b = 0;
                for (var k = 0; k < weights.Length; k++)
                {
                    var p = (((start + k) * cropWidth) + x) * 3;
                    r += weights[k] * horizontal[p];
                    g += weights[k] * horizontal[p + 1];
                    b += weights[k] * horizontal[p + 2];
                }

                var o = (y * cropWidth) + x;
                output[o] = (float)r;
                output[plane + o] = (float)g;
                output[(2 * plane) + o] = (float)b;
            }
        }

        return output;
    }

    /// <summary>The normalised triangle-filter weights of a run of output pixels along one axis.</summary>
    private sealed class Filter
    {
        private readonly double[] _weights;
        private readonly int[] _offsets;

        private Filter(int[] start, double[] weights, int[] offsets, int first, int end)
        {
            Start = start;
            _weights = weights;
            _offsets = offsets;
            First = first;
            End = end;
        }

        /// <summary>The first source pixel each output pixel reads.</summary>
        public int[] Start { get; }

        /// <summary>The lowest source pixel any output pixel reads.</summary>
        public int First { get; }

        /// <summary>One past the highest source pixel any output pixel reads.</summary>
        public int End { get; }

        public ReadOnlySpan<double> Weights(int i) => _weights.AsSpan(_offsets[i], _offsets[i + 1] - _offsets[i]);

        /// <summary>
        /// Weights for output pixels [offset, offset + count) of an axis resized from
        /// <paramref name="inSize"/> to <paramref name="outSize"/>: PIL's precompute_coeffs with the
        /// bilinear filter, in the same arithmetic (window bounds truncated as C truncates).
        /// </summary>
        public static Filter Compute(int inSize, int outSize, int offset, int count)
        {
            var scale = (double)inSize / outSize;
            var filterScale = Math.Max(scale, 1.0);
            var support = TriangleSupport * filterScale;
            var inverse = 1.0 / filterScale;
            var start = new int[count];
            var offsets = new int[count + 1];
            var weights = new List<double>();
            int first = int.MaxValue, end = 0;
            for (var i = 0; i < count; i++)
            {
                var center = (offset + i + 0.5) * scale;
                var min = Math.Max((int)(center - support + 0.5), 0);
                var max = Math.Min((int)(center + support + 0.5), inSize);
                var sum = 0.0;
                var from = weights.Count;
                for (var x = min; x < max; x++)
                {
                    var w = Triangle((x - center + 0.5) * inverse);
                    weights.Add(w);
                    sum += w;
                }

                if (sum != 0)
                {
                    for (var k = from; k < weights.Count; k++)
                    {
                        weights[k] /= sum;
                    }
                }

                start[i] = min;
                offsets[i + 1] = weights.Count;
                first = Math.Min(first, min);
                end = Math.Max(end, max);
            }

            return new Filter(start, [.. weights], offsets, first, end);
        }

        private static double Triangle(double x)
        {
            x = Math.Abs(x);
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    }
}
