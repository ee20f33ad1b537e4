namespace Sparsify.Runtime.Kernels;

/// <summary>
/// Two convolutions in a row without the tensor between them: the first writes its results straight
/// into the second's input layout, so the second neither copies its input nor is the tensor written.
/// A <see cref="SparseConvolutionStep"/> binds the pair once; here are the rule and the epilogue.
/// </summary>
public sealed unsafe partial class SparseConvolutionDriver
{
    // Whether a feeding driver has written this driver's layout since this driver last ran.
    private bool _layoutFed;

    // The driver bound to write this driver's input layout (null: none; at most one).
    private SparseConvolutionDriver? _feeder;

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

    /// <summary>Whether a step is bound to write this driver's input layout.</summary>
    internal bool HasFeeder => _feeder is not null;

    /// <summary>Records <paramref name="feeder"/> as the one driver that writes this driver's input layout.</summary>
    internal void BindFeeder(SparseConvolutionDriver feeder)
    {
        if (_feeder is not null && !ReferenceEquals(_feeder, feeder))
        {
            throw new ArgumentException($"the input layout of {_geometry} is already written by another convolution", nameof(feeder));
        }

        _feeder = feeder;
    }

    /// <summary>Where a feeding driver's epilogue writes into this driver's input layout.</summary>
    private FeedTarget AsTarget() => new()
    {
        Layout = _bufferPointer,
        PlaneStride = _layout.PlaneStride,
        GridWidth = _layout.GridWidth,
        PadTop = _geometry.PadTop,
        PadLeft = _geometry.PadLeft,
        StrideH = _geometry.StrideH,
        StrideW = _geometry.StrideW,
    };

    /// <summary>
    /// The epilogue into the next layout: each segment's valid pixels of each row to their place in the
    /// next convolution's plane of that channel, exactly (the columns around them are its zero padding).
    /// At stride 2 a row goes to the planes of its row phase, its even and odd columns split apart.
    /// </summary>
    private void StoreTileInto<TFunction>(int group, int tileIndex, float* tile, in Call call, TFunction function)
        where TFunction : struct, IActivationFunction
    {
        var g = _geometry;
        var planeFloats = (long)g.OutHeight * g.OutWidth;
        var first = tileIndex * Tile;
        var end = Math.Min(first + Tile, _layout.GridPixels);
        var firstChannel = group * _rowsPerGroup;
        var t = call.Target;
        var channelFloats = (long)t.StrideH * t.StrideW * t.PlaneStride;
        var values = stackalloc float[Tile];
        for (var i = first; i < end;)
        {
            var (oy, ox, segment, valid) = Segment(i, end);
            if (valid > 0)
            {
                var source = tile + (i - first);
                var r = oy + t.PadTop;
                var column = ox + t.PadLeft;
                var rowStart = ((long)(r % t.StrideH) * t.StrideW * t.PlaneStride) + ((long)(r / t.StrideH) * t.GridWidth);
                for (var row = 0; row < _rowsPerGroup; row++)
                {
                    var channel = firstChannel + row;
                    var residual = call.Residual == null ? null : call.Residual + (channel * planeFloats) + ((long)oy * g.OutWidth) + ox;
                    var target = t.Layout + (channel * channelFloats) + rowStart;
                    if (t.StrideW == 1)
                    {
                        Store(source + (row * Tile), target + column, residual, _bias[channel], valid, function);
                        continue;
                    }

                    // Column c goes to the plane of phase c % 2 at c / 2: pairs (c0, c0 + 1) split into the two planes.
                    Store(source + (row * Tile), values, residual, _bias[channel], valid, function);
                    var phase = column & 1;
                    var x = column >> 1;
                    var pairs = valid >> 1;
                    ConvInputLayout.Deinterleave(values, target + ((long)phase * t.PlaneStride) + x, target + ((long)(1 - phase) * t.PlaneStride) + x + phase, pairs);
                    if ((valid & 1) != 0)
                    {
                        target[((long)phase * t.PlaneStride) + x + pairs] = values[valid - 1];
                    }
                }
            }

            i += segment;
        }
    }

    /// <summary>One call's pointers and flags, set before a fork and read by its workers.</summary>
    internal struct Call
    {
        /// <summary>The image the fill copies from (null: the layout was fed).</summary>
        public float* Input;

        /// <summary>The input layout the bodies read: the buffer, or the image itself for an identity layout.</summary>
        public float* LayoutBase;

        /// <summary>Added before the activation (null: none).</summary>
        public float* Residual;

        /// <summary>The NCHW output (null: the results go to <see cref="Target"/>).</summary>
        public float* Output;

        /// <summary>Applied last, as each value is stored.</summary>
        public Activation Activation;

        /// <summary>The next convolution's input layout (its Layout is null when the output is a tensor).</summary>
        public FeedTarget Target;
    }

    /// <summary>A fed driver's input layout as its feeder's epilogue writes it.</summary>
    internal struct FeedTarget
    {
        public float* Layout;
        public int PlaneStride;
        public int GridWidth;
        public int PadTop;
        public int PadLeft;
        public int StrideH;
        public int StrideW;
    }
}
