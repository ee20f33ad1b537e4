namespace Sparsify.Runtime.Kernels;

/// <summary>
/// Two convolutions in a row without the tensor between them: the first writes its results straight
/// into the second's input layout, so the second neither copies its input nor is the tensor written.
/// </summary>
public sealed unsafe partial class SparseConvolutionDriver
{
    // The layout this run writes instead of an NCHW output (null: NCHW), and where its planes sit.
    private float* _target;
    private int _targetPlaneStride;
    private int _targetGridWidth;
    private int _targetPadTop;
    private int _targetPadLeft;

    // Whether a feeding driver has written this driver's layout since this driver last ran.
    private bool _layoutFed;

    /// <summary>
    /// Whether this driver can write its output into <paramref name="next"/>'s input layout: next reads a
    /// tensor of this output's shape at stride 1 without dilation, copies it (its layout is not the
    /// image itself), and every input value has a place in its planes.
    /// </summary>
    public bool CanFeed(SparseConvolutionDriver next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (ReferenceEquals(next, this))
        {
            return false;
        }

        var n = next._geometry;
        var g = _geometry;
        return n.InChannels == g.OutChannels && n.InHeight == g.OutHeight && n.InWidth == g.OutWidth
            && n.StrideH == 1 && n.StrideW == 1 && n.DilationH == 1 && n.DilationW == 1 && !next._layout.IsIdentity
            && n.OutHeight + n.KernelHeight - 1 >= n.InHeight + n.PadTop
            && next._layout.GridWidth >= n.InWidth + n.PadLeft;
    }

    /// <summary>
    /// Convolves one image as <see cref="Run(ReadOnlySpan{float}, ReadOnlySpan{float}, bool, Span{float}, int)"/> does, but writes the results into <paramref name="next"/>'s
    /// input layout instead of a tensor; <paramref name="next"/> then runs with <see cref="RunOnFedLayout"/>.
    /// Neither driver may run on another thread meanwhile.
    /// </summary>
    /// <exception cref="ArgumentException">This driver cannot feed <paramref name="next"/> (see <see cref="CanFeed"/>), or a span is too short.</exception>
    public void RunInto(ReadOnlySpan<float> input, ReadOnlySpan<float> residual, bool relu, SparseConvolutionDriver next, int threads)
        => RunInto(input, residual, relu, next, threads, default);

    private void RunInto(ReadOnlySpan<float> input, ReadOnlySpan<float> residual, bool relu, SparseConvolutionDriver next, int threads, in CompanionCall companion)
    {
        if (!CanFeed(next))
        {
            throw new ArgumentException($"a convolution writing {_geometry.OutChannels}x{_geometry.OutHeight}x{_geometry.OutWidth} cannot feed the layout of {next._geometry}", nameof(next));
        }

        _layout.CheckLengths(input.Length, int.MaxValue);
        CheckResidual(residual);

        var workers = Workers(threads);
        EnsureBuffers(workers);
        next.EnsureLayoutBuffer();
        _layoutFed = false;
        fixed (float* inputPointer = input)
        fixed (float* residualPointer = residual)
        {
            _input = inputPointer;
            _residual = residual.IsEmpty ? null : residualPointer;
            _relu = relu;
            _layoutBase = _layout.IsIdentity ? inputPointer : _bufferPointer;
            _target = next._bufferPointer;
            _targetPlaneStride = next._layout.PlaneStride;
            _targetGridWidth = next._layout.GridWidth;
            _targetPadTop = next._geometry.PadTop;
            _targetPadLeft = next._geometry.PadLeft;
            try
            {
                RunPhases(workers, companion);
                next._layoutFed = true;
            }
            finally
            {
                _input = _layoutBase = _residual = _target = null;
            }
        }
    }

    /// <summary>
    /// Convolves the image a feeding driver's <see cref="RunInto(ReadOnlySpan{float}, ReadOnlySpan{float}, bool, SparseConvolutionDriver, int)"/> wrote into this driver's input layout
    /// (output as in <see cref="Run(ReadOnlySpan{float}, ReadOnlySpan{float}, bool, Span{float}, int)"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">No driver has fed the layout since this driver last ran.</exception>
    /// <exception cref="ArgumentException">A span is too short, or the residual overlaps the output.</exception>
    public void RunOnFedLayout(ReadOnlySpan<float> residual, bool relu, Span<float> output, int threads)
    {
        if (!_layoutFed)
        {
            throw new InvalidOperationException("no convolution has written this convolution's input layout since it last ran");
        }

        CheckOutput(residual, output);
        var workers = Workers(threads);
        EnsureBuffers(workers);
        _layoutFed = false;
        fixed (float* residualPointer = residual)
        fixed (float* outputPointer = output)
        {
            _residual = residual.IsEmpty ? null : residualPointer;
            _output = outputPointer;
            _relu = relu;
            _layoutBase = _bufferPointer;
            try
            {
                RunPhases(workers, default, fill: false);
            }
            finally
            {
                _layoutBase = _residual = _output = null;
            }
        }
    }

    /// <summary>
    /// The epilogue into the next layout: each segment's valid pixels of each row to their place in the
    /// next convolution's plane of that channel, exactly (the columns around them are its zero padding).
    /// </summary>
    private void StoreTileInto(int group, int tileIndex, float* tile)
    {
        var g = _geometry;
        var planeFloats = (long)g.OutHeight * g.OutWidth;
        var first = tileIndex * Tile;
        var end = Math.Min(first + Tile, _layout.GridPixels);
        var firstChannel = group * _rowsPerGroup;
        for (var i = first; i < end;)
        {
            var (oy, ox, segment, valid) = Segment(i, end);
            if (valid > 0)
            {
                var source = tile + (i - first);
                var at = ((long)(oy + _targetPadTop) * _targetGridWidth) + ox + _targetPadLeft;
                for (var row = 0; row < _rowsPerGroup; row++)
                {
                    var channel = firstChannel + row;
                    var residual = _residual == null ? null : _residual + (channel * planeFloats) + ((long)oy * g.OutWidth) + ox;
                    Store(source + (row * Tile), _target + ((long)channel * _targetPlaneStride) + at, residual, _bias[channel], valid, _relu);
                }
            }

            i += segment;
        }
    }
}
