namespace Sparsify.Runtime.Kernels;

/// <summary>
/// The input of a sparse convolution rearranged so that every filter tap (channel, kh, kw) is one
/// constant offset from the output grid pixel.
/// </summary>
/// <remarks>
/// <para>The padded input P[r][s] (zero outside the image) is split, per channel, into SH × SW phase
/// planes Q[y][x] = P[y·SH + ph][x·SW + pw], y in [0, OutHeight + ExtraRows), x in [0, <see cref="GridWidth"/>),
/// row-major with row stride <see cref="GridWidth"/>. Plane (c, ph, pw) starts at
/// ((c·SH + ph)·SW + pw) · <see cref="PlaneStride"/>. Output grid pixel i = oy·GridWidth + ox reads
/// tap (c, kh, kw) at i + <see cref="Offset(int, int, int)"/>; columns ox ≥ OutWidth are computed and discarded. At
/// stride 1 a tap past a row's end reads the start of the next row, which is that row's left padding.</para>
/// <para>PlaneStride leaves room for the last tile's reads, so no tile reads past its plane, and every
/// float that is not an input value is zero.</para>
/// </remarks>
public sealed partial class ConvInputLayout
{
    private readonly ConvGeometry _geometry;
    private readonly int _extraRows;
    private readonly int _extraCols;
    private readonly int _planeRows;
    private readonly bool[] _rowPhaseUsed;
    private readonly bool[] _columnPhaseUsed;

    // Per column phase, the plane columns that hold image values (computed once: a fill would
    // otherwise divide for every channel).
    private readonly (int X0, int X1)[] _columnRanges;

    private ConvInputLayout(in ConvGeometry g)
    {
        _geometry = g;
        _extraRows = (g.KernelHeight - 1) * g.DilationH / g.StrideH;
        _extraCols = (g.KernelWidth - 1) * g.DilationW / g.StrideW;
        GridWidth = GridWidthOf(g, _extraCols);
        _planeRows = g.OutHeight + _extraRows;
        _rowPhaseUsed = UsedPhases(g.KernelHeight, g.DilationH, g.StrideH);
        _columnPhaseUsed = UsedPhases(g.KernelWidth, g.DilationW, g.StrideW);
        GridPixels = g.OutHeight * GridWidth;
        TileCount = (GridPixels + SparseConvolution.TilePixels - 1) / SparseConvolution.TilePixels;
        var tiled = (long)TileCount * SparseConvolution.TilePixels;
        var stride = RoundUp(tiled + ((long)_extraRows * GridWidth) + _extraCols, 16);
        var length = (long)g.InChannels * g.StrideH * g.StrideW * stride;
        if (length > Array.MaxLength)
        {
            throw new ArgumentException($"the input layout of {length} floats is too large", nameof(g));
        }

        PlaneStride = (int)stride;
        BufferLength = (int)length;
        _columnRanges = new (int, int)[g.StrideW];
        for (var pw = 0; pw < g.StrideW; pw++)
        {
            _columnRanges[pw] = ComputeColumnRange(pw);
        }
    }

    /// <summary>
    /// The width of the output grid and of every plane: OutWidth + ((KernelWidth - 1)·DilationW)/StrideW,
    /// less at stride 1, where a row's right padding may be the next row's left padding: the taps of a
    /// row's last pixels then read the zeros at the start of the next row, so fewer grid columns are
    /// computed and thrown away (7-pixel rows of a 3×3 convolution: 8 columns instead of 9).
    /// </summary>
    public int GridWidth { get; }

    /// <summary>OutHeight · GridWidth: the output grid pixels, valid or not.</summary>
    public int GridPixels { get; }

    /// <summary>ceil(GridPixels / TilePixels).</summary>
    public int TileCount { get; }

    /// <summary>Floats between consecutive phase planes.</summary>
    public int PlaneStride { get; }

    /// <summary>Floats of the whole layout: InChannels · StrideH · StrideW · PlaneStride.</summary>
    public int BufferLength { get; }

    /// <summary>
    /// Whether the layout of an image is the image itself (1×1 kernel, stride 1, no padding, and a
    /// plane that is a whole number of tiles), so it need not be copied.
    /// </summary>
    public bool IsIdentity => _geometry.KernelHeight == 1 && _geometry.KernelWidth == 1
        && _geometry.StrideH == 1 && _geometry.StrideW == 1 && _geometry.PadTop == 0 && _geometry.PadLeft == 0
        && _geometry.OutHeight == _geometry.InHeight && _geometry.OutWidth == _geometry.InWidth
        && PlaneStride == _geometry.InHeight * _geometry.InWidth;

    /// <summary>
    /// Whether a convolution before this one may write this layout instead of a tensor: the convolution
    /// reads at stride 1 or 2 without dilation, the layout is a copy (not the image itself), and every input
    /// value has a place in its planes. The compiler's lowering decides chaining by this rule.
    /// </summary>
    public bool CanBeFed
    {
        get
        {
            ref readonly var n = ref _geometry;
            return n.StrideH is 1 or 2 && n.StrideW is 1 or 2 && n.DilationH == 1 && n.DilationW == 1 && !IsIdentity
                && (n.InHeight - 1 + n.PadTop) / n.StrideH < n.OutHeight + ((n.KernelHeight - 1) / n.StrideH)
                && (n.InWidth - 1 + n.PadLeft) / n.StrideW < GridWidth;
        }
    }

    /// <summary>The layout of one image (batch 1) of a convolution.</summary>
    /// <exception cref="ArgumentException">The geometry has a non-positive size, stride, dilation or group, or padding below zero.</exception>
    public static ConvInputLayout For(in ConvGeometry g)
    {
        if (g.InChannels < 1 || g.InHeight < 1 || g.InWidth < 1 || g.OutChannels < 1 || g.OutHeight < 1 || g.OutWidth < 1
            || g.KernelHeight < 1 || g.KernelWidth < 1 || g.StrideH < 1 || g.StrideW < 1 || g.DilationH < 1 || g.DilationW < 1
            || g.PadTop < 0 || g.PadLeft < 0 || g.Group < 1 || g.InChannels % g.Group != 0 || g.OutChannels % g.Group != 0)
        {
            throw new ArgumentException($"not a valid convolution geometry: {g}", nameof(g));
        }

        return new ConvInputLayout(g);
    }

    /// <summary>The offset of tap (channel, kh, kw) from a grid pixel; channel counts within the conv group.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A coordinate is outside the filter.</exception>
    public int Offset(int channel, int kh, int kw)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(channel);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(channel, _geometry.InChannels);
        ArgumentOutOfRangeException.ThrowIfNegative(kh);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(kh, _geometry.KernelHeight);
        ArgumentOutOfRangeException.ThrowIfNegative(kw);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(kw, _geometry.KernelWidth);
        int sh = _geometry.StrideH, sw = _geometry.StrideW;
        int r = kh * _geometry.DilationH, s = kw * _geometry.DilationW;
        return ((((channel * sh) + (r % sh)) * sw) + (s % sw)) * PlaneStride + ((r / sh) * GridWidth) + (s / sw);
    }

    /// <summary>Writes the layout of one image (all InChannels, NCHW) into <paramref name="buffer"/>, zero everywhere else.</summary>
    /// <exception cref="ArgumentException">The image or the buffer is too short.</exception>
    public unsafe void Fill(ReadOnlySpan<float> image, Span<float> buffer)
    {
        CheckLengths(image.Length, buffer.Length);
        fixed (float* source = image)
        fixed (float* target = buffer)
        {
            FillChannels(source, target, 0, _geometry.InChannels, interiorOnly: false);
        }
    }

    /// <summary>Throws when an image or a buffer is too short for this layout.</summary>
    internal void CheckLengths(int imageLength, int bufferLength)
    {
        var imageFloats = (long)_geometry.InChannels * _geometry.InHeight * _geometry.InWidth;
        if (imageLength < imageFloats)
        {
            throw new ArgumentException($"the image holds {imageLength} floats, the layout needs {imageFloats}");
        }

        if (bufferLength < BufferLength)
        {
            throw new ArgumentException($"the buffer holds {bufferLength} floats, the layout needs {BufferLength}");
        }
    }

    /// <summary>
    /// At stride 1, the narrowest row that holds the padded image's left padding and its columns and
    /// whose last pixel's rightmost tap still falls in the next row's left padding; else no sharing.
    /// </summary>
    private static int GridWidthOf(in ConvGeometry g, int extraCols) => g.StrideW != 1
        ? g.OutWidth + extraCols
        : Math.Max(g.OutWidth, Math.Max(g.OutWidth + extraCols - g.PadLeft, g.PadLeft + g.InWidth));

    private static long RoundUp(long value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
