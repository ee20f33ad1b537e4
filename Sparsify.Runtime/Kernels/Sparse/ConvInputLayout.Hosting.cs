namespace Sparsify.Runtime.Kernels;

/// <summary>
/// One layout read by two convolutions of the same image: a ResNet block's 3×3 stride-2 convolution
/// (padding 1) and its 1×1 stride-2 projection shortcut, whose one tap is the 3×3 window's centre.
/// </summary>
public sealed partial class ConvInputLayout
{
    /// <summary>
    /// Whether a convolution <paramref name="guest"/> of the same image can read this layout: the same
    /// input, stride, output size and conv groups, and every tap of its window at the place of a tap of
    /// this layout's convolution (so the fill writes every plane it reads, and the grid and tiles match).
    /// </summary>
    public bool CanHost(in ConvGeometry guest)
    {
        ref readonly var g = ref _geometry;
        if (guest.InChannels != g.InChannels || guest.InHeight != g.InHeight || guest.InWidth != g.InWidth
            || guest.StrideH != g.StrideH || guest.StrideW != g.StrideW || guest.OutHeight != g.OutHeight
            || guest.OutWidth != g.OutWidth || guest.Group != g.Group || guest.DilationH < 1 || guest.DilationW < 1)
        {
            return false;
        }

        for (var kh = 0; kh < guest.KernelHeight; kh++)
        {
            if (HostTap(kh, guest.DilationH, guest.PadTop, g.DilationH, g.PadTop, g.KernelHeight) < 0)
            {
                return false;
            }
        }

        for (var kw = 0; kw < guest.KernelWidth; kw++)
        {
            if (HostTap(kw, guest.DilationW, guest.PadLeft, g.DilationW, g.PadLeft, g.KernelWidth) < 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The offset of tap (channel, kh, kw) of <paramref name="guest"/>'s window from a grid pixel of this layout.</summary>
    /// <exception cref="ArgumentException">This layout cannot host <paramref name="guest"/> (see <see cref="CanHost"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A coordinate is outside the guest's filter.</exception>
    public int Offset(in ConvGeometry guest, int channel, int kh, int kw)
    {
        if (!CanHost(guest))
        {
            throw new ArgumentException($"the input layout of {_geometry} cannot hold the taps of {guest}", nameof(guest));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(kh);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(kh, guest.KernelHeight);
        ArgumentOutOfRangeException.ThrowIfNegative(kw);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(kw, guest.KernelWidth);
        ref readonly var g = ref _geometry;
        return Offset(
            channel,
            HostTap(kh, guest.DilationH, guest.PadTop, g.DilationH, g.PadTop, g.KernelHeight),
            HostTap(kw, guest.DilationW, guest.PadLeft, g.DilationW, g.PadLeft, g.KernelWidth));
    }

    /// <summary>
    /// The host's tap that reads the padded-input row (or column) the guest's tap <paramref name="k"/> reads
    /// for the same output pixel, or -1: guest row k·D' - P' of the image is host padded row k·D' - P' + P.
    /// </summary>
    private static int HostTap(int k, int guestDilation, int guestPad, int dilation, int pad, int kernel)
    {
        var r = (k * guestDilation) - guestPad + pad;
        return r >= 0 && r % dilation == 0 && r / dilation < kernel ? r / dilation : -1;
    }
}
