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
    private int _targetStrideH;
    private int _targetStrideW;

    // Whether a feeding driver has written this driver's layout since this driver last ran.
    private bool _layoutFed;

    /// <summary>
    /// Whether this driver can write its output into <paramref name="next"/>'s input layout: next reads a
    /// tensor of this output's shape at stride 1 or 2 without dilation, copies it (its layout is not the
    /// image itself), and every input value has a place in its planes.
    /// </summary>
    public bool CanFeed(SparseConvolutionDriver next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (ReferenceEquals(next, this) || next._layoutGeometry != next._geometry)
        {
            return false;
        }

        var n = next._geometry;
        var g = _geometry;
        return n.InChannels == g.OutChannels && n.InHeight == g.OutHeight && n.InWidth == g.OutWidth && next._layout.CanBeFed;
    }

    /// <summary>
    /// Convolves one image as <see cref="Run(ReadOnlySpan{float}, ReadOnlySpan{float}, bool, Span{float}, int)"/> does, but writes the results into <paramref name="next"/>'s
    /// input layout instead of a tensor; <paramref name="next"/> then runs from that layout
    /// (<see cref="RunOnFedLayout(ReadOnlySpan{float}, bool, Span{float}, int)"/> or
    /// <see cref="RunOnFedLayoutInto(ReadOnlySpan{float}, bool, SparseConvolutionDriver, int)"/>).
    /// Neither driver may run on another thread meanwhile.
    /// </summary>
    /// <exception cref="ArgumentException">This driver cannot feed <paramref name="next"/> (see <see cref="CanFeed"/>), or a span is too short.</exception>
    public void RunInto(ReadOnlySpan<float> input, ReadOnlySpan<float> residual, bool relu, SparseConvolutionDriver next, int threads)
        => Execute(input, fed: false, residual, relu, default, next, threads, default);

    /// <summary>
    /// Convolves the image a feeding driver wrote into this driver's input layout
    /// (output as in <see cref="Run(ReadOnlySpan{float}, ReadOnlySpan{float}, bool, Span{float}, int)"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">No driver has fed the layout since this driver last ran.</exception>
    /// <exception cref="ArgumentException">A span is too short, or the residual overlaps the output.</exception>
    public void RunOnFedLayout(ReadOnlySpan<float> residual, bool relu, Span<float> output, int threads)
        => Execute(default, fed: true, residual, relu, output, next: null, threads, default);

    /// <summary>
    /// Convolves the image a feeding driver wrote into this driver's input layout and writes the results
    /// into <paramref name="next"/>'s input layout in turn (a chain of convolutions without tensors between them).
    /// </summary>
    /// <exception cref="InvalidOperationException">No driver has fed the layout since this driver last ran.</exception>
    /// <exception cref="ArgumentException">This driver cannot feed <paramref name="next"/>, or the residual is too short.</exception>
    public void RunOnFedLayoutInto(ReadOnlySpan<float> residual, bool relu, SparseConvolutionDriver next, int threads)
        => Execute(default, fed: true, residual, relu, default, next, threads, default);

    private void Target(SparseConvolutionDriver next)
    {
        _target = next._bufferPointer;
        _targetPlaneStride = next._layout.PlaneStride;
        _targetGridWidth = next._layout.GridWidth;
        _targetPadTop = next._geometry.PadTop;
        _targetPadLeft = next._geometry.PadLeft;
        _targetStrideH = next._geometry.StrideH;
        _targetStrideW = next._geometry.StrideW;
    }

    /// <summary>
    /// The epilogue into the next layout: each segment's valid pixels of each row to their place in the
    /// next convolution's plane of that channel, exactly (the columns around them are its zero padding).
    /// At stride 2 a row goes to the planes of its row phase, its even and odd columns split apart.
    /// </summary>
    private void StoreTileInto(int group, int tileIndex, float* tile)
    {
        var g = _geometry;
        var planeFloats = (long)g.OutHeight * g.OutWidth;
        var first = tileIndex * Tile;
        var end = Math.Min(first + Tile, _layout.GridPixels);
        var firstChannel = group * _rowsPerGroup;
        var channelFloats = (long)_targetStrideH * _targetStrideW * _targetPlaneStride;
        var values = stackalloc float[Tile];
        for (var i = first; i < end;)
        {
            var (oy, ox, segment, valid) = Segment(i, end);
            if (valid > 0)
            {
                var source = tile + (i - first);
                var r = oy + _targetPadTop;
                var column = ox + _targetPadLeft;
                var rowStart = ((long)(r % _targetStrideH) * _targetStrideW * _targetPlaneStride) + ((long)(r / _targetStrideH) * _targetGridWidth);
                for (var row = 0; row < _rowsPerGroup; row++)
                {
                    var channel = firstChannel + row;
                    var residual = _residual == null ? null : _residual + (channel * planeFloats) + ((long)oy * g.OutWidth) + ox;
                    var target = _target + (channel * channelFloats) + rowStart;
                    if (_targetStrideW == 1)
                    {
                        Store(source + (row * Tile), target + column, residual, _bias[channel], valid, _relu);
                        continue;
                    }

                    // Column c goes to the plane of phase c % 2 at c / 2: pairs (c0, c0 + 1) split into the two planes.
                    Store(source + (row * Tile), values, residual, _bias[channel], valid, _relu);
                    var phase = column & 1;
                    var x = column >> 1;
                    var pairs = valid >> 1;
                    ConvInputLayout.Deinterleave(values, target + ((long)phase * _targetPlaneStride) + x, target + ((long)(1 - phase) * _targetPlaneStride) + x + phase, pairs);
                    if ((valid & 1) != 0)
                    {
                        target[((long)phase * _targetPlaneStride) + x + pairs] = values[valid - 1];
                    }
                }
            }

            i += segment;
        }
    }
}
