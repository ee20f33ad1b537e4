using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sparsify.Core.Execution.Kernels;

internal static unsafe partial class ConvolutionKernel
{
    /// <summary>
    /// Writes im2col(image) straight into <see cref="Sgemm"/>'s packed B layout: row r = (ic, kh, kw) of
    /// the filter, column = output pixel, 16 pixels per panel. Panels whose 16 pixels lie in one output
    /// row copy contiguous input (stride 1) or de-interleave it (stride 2); the rest (row ends, padding,
    /// other strides) use masked AVX2 gathers, or scalar code without AVX2.
    /// </summary>
    private sealed class Im2ColPacker
    {
        private const int NR = Sgemm.NR;
        private const int InvalidRow = int.MinValue / 4;

        private readonly ConvGeometry _g;
        private readonly float* _packed;
        private readonly SimdLevel _level;
        private readonly int _n, _k, _nPanels;
        private float* _image;

        public Im2ColPacker(in ConvGeometry g, float* packed, SimdLevel level)
        {
            _g = g;
            _packed = packed;
            _level = level;
            _n = g.OutPixels;
            _k = g.FilterLength;
            _nPanels = Sgemm.PanelCount(_n);
        }

        /// <summary>Packs the InChannelsPerGroup channels that start at <paramref name="image"/>.</summary>
        public void Pack(float* image, int dop)
        {
            _image = image;
            int items = Sgemm.CeilDiv(_nPanels, Sgemm.PackPanelsPerItem);
            Sgemm.RunParallel(items, items < 2 ? 1 : dop, PackItem);
        }

        private void PackItem(int item)
        {
            int panelEnd = Math.Min(_nPanels, (item + 1) * Sgemm.PackPanelsPerItem);
            int kBlocks = Sgemm.KBlockCount(_k);
            int* ihBase = stackalloc int[NR];
            int* iwBase = stackalloc int[NR];
            for (int panel = item * Sgemm.PackPanelsPerItem; panel < panelEnd; panel++)
            {
                int p0 = panel * NR;
                for (int j = 0; j < NR; j++)
                {
                    int p = p0 + j;
                    if (p < _n)
                    {
                        int oh = p / _g.OutWidth;
                        int ow = p - (oh * _g.OutWidth);
                        ihBase[j] = (oh * _g.StrideH) - _g.PadTop;
                        iwBase[j] = (ow * _g.StrideW) - _g.PadLeft;
                    }
                    else
                    {
                        ihBase[j] = InvalidRow;
                        iwBase[j] = 0;
                    }
                }

                bool oneRow = p0 + NR <= _n && (p0 % _g.OutWidth) + NR <= _g.OutWidth;
                for (int kb = 0; kb < kBlocks; kb++)
                {
                    (int pc, int kc) = Sgemm.KBlock(_k, kBlocks, kb);
                    float* dst = _packed + ((nint)pc * _nPanels * NR) + ((nint)panel * kc * NR);
                    PackPanelRows(pc, kc, ihBase, iwBase, oneRow, dst);
                }
            }
        }

        /// <summary>Rows pc..pc+kc of one panel.</summary>
        private void PackPanelRows(int pc, int kc, int* ihBase, int* iwBase, bool oneRow, float* dst)
        {
            ref readonly ConvGeometry g = ref _g;
            int kArea = g.KernelHeight * g.KernelWidth;
            int ic = pc / kArea;
            int kh = pc % kArea / g.KernelWidth;
            int kw = pc % g.KernelWidth;
            int height = g.InHeight, width = g.InWidth, strideW = g.StrideW;
            nint plane = (nint)height * width;
            float* channel = _image + (ic * plane);
            bool avx2 = _level == SimdLevel.Avx2Fma;

            Vector256<int> ihLo = default, ihHi = default, iwLo = default, iwHi = default, offLo = default, offHi = default;
            if (avx2)
            {
                ihLo = Vector256.Load(ihBase);
                ihHi = Vector256.Load(ihBase + 8);
                iwLo = Vector256.Load(iwBase);
                iwHi = Vector256.Load(iwBase + 8);
                Vector256<int> w = Vector256.Create(width);
                offLo = (ihLo * w) + iwLo;
                offHi = (ihHi * w) + iwHi;
            }

            for (int r = 0; r < kc; r++, dst += NR)
            {
                int dh = kh * g.DilationH;
                int dw = kw * g.DilationW;
                bool done = false;
                if (oneRow)
                {
                    int ih = ihBase[0] + dh;
                    int iw = iwBase[0] + dw;
                    if ((uint)ih >= (uint)height)
                    {
                        Zero16(dst);
                        done = true;
                    }
                    else if (iw >= 0)
                    {
                        float* src = channel + ((nint)ih * width) + iw;
                        if (strideW == 1 && iw + NR <= width)
                        {
                            Sgemm.Copy16(src, dst, _level);
                            done = true;
                        }
                        else if (strideW == 2 && avx2 && iw + (2 * NR) <= width)
                        {
                            Deinterleave2(src, dst);
                            done = true;
                        }
                    }
                }

                if (!done)
                {
                    if (avx2)
                    {
                        Gather(channel, ihLo, iwLo, offLo, dh, dw, height, width, dst);
                        Gather(channel, ihHi, iwHi, offHi, dh, dw, height, width, dst + 8);
                    }
                    else
                    {
                        for (int j = 0; j < NR; j++)
                        {
                            int ih = ihBase[j] + dh;
                            int iw = iwBase[j] + dw;
                            dst[j] = (uint)ih < (uint)height && (uint)iw < (uint)width ? channel[((nint)ih * width) + iw] : 0f;
                        }
                    }
                }

                if (++kw == g.KernelWidth)
                {
                    kw = 0;
                    if (++kh == g.KernelHeight)
                    {
                        kh = 0;
                        channel += plane;
                    }
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Gather(float* channel, Vector256<int> ihBase, Vector256<int> iwBase, Vector256<int> offBase, int dh, int dw, int height, int width, float* dst)
        {
            Vector256<uint> ih = (ihBase + Vector256.Create(dh)).AsUInt32();
            Vector256<uint> iw = (iwBase + Vector256.Create(dw)).AsUInt32();
            Vector256<uint> valid = Vector256.LessThan(ih, Vector256.Create((uint)height)) & Vector256.LessThan(iw, Vector256.Create((uint)width));
            Vector256<int> index = offBase + Vector256.Create((dh * width) + dw);
            Vector256<float> v = Avx2.GatherMaskVector256(Vector256<float>.Zero, channel, index, valid.AsSingle(), 4);
            Vector256.Store(v, dst);
        }

        /// <summary>dst[j] = src[2j] for j &lt; 16, reading src[0..31].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Deinterleave2(float* src, float* dst)
        {
            Vector256<float> e0 = Avx.Shuffle(Vector256.Load(src), Vector256.Load(src + 8), 0b10_00_10_00);
            Vector256<float> e1 = Avx.Shuffle(Vector256.Load(src + 16), Vector256.Load(src + 24), 0b10_00_10_00);
            Vector256.Store(Avx2.Permute4x64(e0.AsDouble(), 0b11_01_10_00).AsSingle(), dst);
            Vector256.Store(Avx2.Permute4x64(e1.AsDouble(), 0b11_01_10_00).AsSingle(), dst + 8);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Zero16(float* dst)
        {
            for (int j = 0; j < NR; j++)
            {
                dst[j] = 0f;
            }
        }
    }
}
