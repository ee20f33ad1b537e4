using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sparsify.Runtime.Kernels;

internal static unsafe partial class ConvolutionKernel
{
    /// <summary>
    /// im2col fused into <see cref="Sgemm"/>'s panel packing, reading a <see cref="PaddedImage"/>. B row
    /// r = (ic, kh, kw) of the filter, column = output pixel; a panel is 16 consecutive output pixels,
    /// made of one or more output-row segments. With AVX2 and stride 1 or 2 a panel row is loaded
    /// 8 floats at a time, blending in one more load per extra segment (stride 2 loads twice as many
    /// floats and de-interleaves); other strides gather. Without AVX2 it is a scalar copy.
    /// Lanes past the last pixel read in-bounds garbage: the GEMM never stores those columns.
    /// </summary>
    private readonly struct Im2ColB : Sgemm.IPanelSource
    {
        private const int NR = Sgemm.NR;

        private readonly ConvGeometry _g;
        private readonly SimdLevel _level;
        private readonly float* _data;
        private readonly int _width, _plane;

        public Im2ColB(in ConvGeometry g, in PaddedImage image, SimdLevel level)
        {
            _g = g;
            _level = level;
            _data = image.Data;
            _width = image.Width;
            _plane = image.Height * image.Width;
        }

        [SkipLocalsInit]
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void PackPanel(int panel, int pc, int kc, float* dst)
        {
            // Offset (in the padded image) of each lane's receptive field origin, and the segments.
            int* laneOffset = stackalloc int[NR];
            int* segmentOfLane = stackalloc int[NR];
            int* segStart = stackalloc int[NR];
            int* segOffset = stackalloc int[NR];
            int outW = _g.OutWidth, strideW = _g.StrideW, rowStep = _g.StrideH * _width;
            int p0 = panel * NR;
            int valid = Math.Min(NR, _g.OutPixels - p0);
            int oh = p0 / outW;
            int ow = p0 - (oh * outW);
            int segments = 0;
            for (int j = 0; j < NR; j++)
            {
                if (j < valid)
                {
                    laneOffset[j] = (oh * rowStep) + (ow * strideW);
                    if (j == 0 || ow == 0)
                    {
                        segStart[segments] = j;
                        segOffset[segments] = laneOffset[j] - (strideW * j);
                        segments++;
                    }

                    if (++ow == outW)
                    {
                        ow = 0;
                        oh++;
                    }
                }
                else
                {
                    laneOffset[j] = laneOffset[0];
                }

                segmentOfLane[j] = segments - 1;
            }

            if (_level < SimdLevel.Avx2Fma)
            {
                PackScalar(pc, kc, laneOffset, dst);
            }
            else if (strideW <= 2)
            {
                PackBlended(pc, kc, segments, segmentOfLane, segStart, segOffset, dst);
            }
            else
            {
                PackGather(pc, kc, laneOffset, dst);
            }
        }

        /// <summary>Offset of filter row r = (ic, kh, kw) relative to a lane's origin, and its kernel position.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private int Decode(int r, out int kh, out int kw)
        {
            int kArea = _g.KernelHeight * _g.KernelWidth;
            int ic = r / kArea;
            int rem = r - (ic * kArea);
            kh = rem / _g.KernelWidth;
            kw = rem - (kh * _g.KernelWidth);
            return (ic * _plane) + (kh * _g.DilationH * _width) + (kw * _g.DilationW);
        }

        /// <summary>Walks the filter rows (ic, kh, kw) in order, tracking the offset of each in the padded image.</summary>
        private struct Cursor
        {
            public int Offset, Kh, Kw;
            public readonly int DilationW, KernelW, KernelH, RowJump, ChannelJump;

            public Cursor(in Im2ColB owner, int r)
            {
                Offset = owner.Decode(r, out Kh, out Kw);
                ConvGeometry g = owner._g;
                DilationW = g.DilationW;
                KernelW = g.KernelWidth;
                KernelH = g.KernelHeight;
                RowJump = (g.DilationH * owner._width) - (g.KernelWidth * g.DilationW);
                ChannelJump = owner._plane - (g.KernelHeight * g.DilationH * owner._width);
            }

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Next()
            {
                Offset += DilationW;
                if (++Kw == KernelW)
                {
                    Kw = 0;
                    Offset += RowJump;
                    if (++Kh == KernelH)
                    {
                        Kh = 0;
                        Offset += ChannelJump;
                    }
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void PackScalar(int pc, int kc, int* laneOffset, float* dst)
        {
            var cursor = new Cursor(in this, pc);
            float* data = _data;
            for (int r = 0; r < kc; r++, dst += NR)
            {
                float* src = data + cursor.Offset;
                for (int j = 0; j < NR; j++)
                {
                    dst[j] = src[laneOffset[j]];
                }

                cursor.Next();
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void PackGather(int pc, int kc, int* laneOffset, float* dst)
        {
            Vector256<int> lo = Vector256.Load(laneOffset), hi = Vector256.Load(laneOffset + 8);
            var cursor = new Cursor(in this, pc);
            float* data = _data;
            for (int r = 0; r < kc; r++, dst += NR)
            {
                float* src = data + cursor.Offset;
                Vector256.Store(Avx2.GatherVector256(src, lo, 4), dst);
                Vector256.Store(Avx2.GatherVector256(src, hi, 4), dst + 8);
                cursor.Next();
            }
        }

        /// <summary>
        /// Stride 1 or 2. The panel row is read as 2·stride chunks of 8 consecutive floats; chunk c
        /// feeds lanes 8c/stride onwards. A chunk is loaded from the segment of its first lane and the
        /// segments that start inside it are blended in. When no chunk spans more than two segments
        /// (output rows of 8 pixels or more) every chunk is exactly two loads and a blend.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void PackBlended(int pc, int kc, int segments, int* segmentOfLane, int* segStart, int* segOffset, float* dst)
        {
            int strideW = _g.StrideW;
            int chunks = 2 * strideW;
            int lanesPerChunk = 8 / strideW;

            // Per chunk: first segment, last segment, and per extra segment the blend mask.
            int* first = stackalloc int[4];
            int* last = stackalloc int[4];
            Vector256<float>* masks = stackalloc Vector256<float>[4 * NR];
            bool twoAtMost = true;
            for (int c = 0; c < chunks; c++)
            {
                int lane0 = c * lanesPerChunk;
                first[c] = segmentOfLane[lane0];
                last[c] = segmentOfLane[lane0 + lanesPerChunk - 1];
                twoAtMost &= last[c] - first[c] <= 1;
                masks[c * NR] = Vector256<float>.Zero;
                for (int s = first[c] + 1; s <= last[c]; s++)
                {
                    // Element t of the chunk belongs to lane lane0 + t/stride.
                    Vector256<int> laneOfElement = (strideW == 1 ? Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) : Vector256.Create(0, 0, 1, 1, 2, 2, 3, 3)) + Vector256.Create(lane0);
                    masks[(c * NR) + s] = Vector256.GreaterThanOrEqual(laneOfElement, Vector256.Create(segStart[s])).AsSingle();
                }
            }

            var cursor = new Cursor(in this, pc);
            float* data = _data;
            if (segments == 1)
            {
                for (int r = 0; r < kc; r++, dst += NR)
                {
                    float* s0 = data + segOffset[0] + cursor.Offset;
                    if (strideW == 1)
                    {
                        Vector256.Store(Vector256.Load(s0), dst);
                        Vector256.Store(Vector256.Load(s0 + 8), dst + 8);
                    }
                    else
                    {
                        Deinterleave2(Vector256.Load(s0), Vector256.Load(s0 + 8), dst);
                        Deinterleave2(Vector256.Load(s0 + 16), Vector256.Load(s0 + 24), dst + 8);
                    }

                    cursor.Next();
                }

                return;
            }

            if (twoAtMost)
            {
                // Chunk c: v = blend(load(o1 + 8c), load(o2 + 8c), mask); o2 = o1 with a zero mask
                // when the chunk lies in one segment.
                int* o1 = stackalloc int[4];
                int* o2 = stackalloc int[4];
                Vector256<float>* m = stackalloc Vector256<float>[4];
                for (int c = 0; c < chunks; c++)
                {
                    o1[c] = segOffset[first[c]] + (8 * c);
                    o2[c] = segOffset[last[c]] + (8 * c);
                    m[c] = masks[(c * NR) + (last[c] == first[c] ? 0 : last[c])];
                }

                if (strideW == 1)
                {
                    int a0 = o1[0], b0 = o2[0], a1 = o1[1], b1 = o2[1];
                    Vector256<float> m0 = m[0], m1 = m[1];
                    for (int r = 0; r < kc; r++, dst += NR)
                    {
                        float* src = data + cursor.Offset;
                        Vector256.Store(Avx.BlendVariable(Vector256.Load(src + a0), Vector256.Load(src + b0), m0), dst);
                        Vector256.Store(Avx.BlendVariable(Vector256.Load(src + a1), Vector256.Load(src + b1), m1), dst + 8);
                        cursor.Next();
                    }
                }
                else
                {
                    for (int r = 0; r < kc; r++, dst += NR)
                    {
                        float* src = data + cursor.Offset;
                        Vector256<float> v0 = Avx.BlendVariable(Vector256.Load(src + o1[0]), Vector256.Load(src + o2[0]), m[0]);
                        Vector256<float> v1 = Avx.BlendVariable(Vector256.Load(src + o1[1]), Vector256.Load(src + o2[1]), m[1]);
                        Vector256<float> v2 = Avx.BlendVariable(Vector256.Load(src + o1[2]), Vector256.Load(src + o2[2]), m[2]);
                        Vector256<float> v3 = Avx.BlendVariable(Vector256.Load(src + o1[3]), Vector256.Load(src + o2[3]), m[3]);
                        Deinterleave2(v0, v1, dst);
                        Deinterleave2(v2, v3, dst + 8);
                        cursor.Next();
                    }
                }

                return;
            }

            for (int r = 0; r < kc; r++, dst += NR)
            {
                float* src = data + cursor.Offset;
                Vector256<float> previous = default;
                for (int c = 0; c < chunks; c++)
                {
                    Vector256<float> v = Vector256.Load(src + segOffset[first[c]] + (8 * c));
                    for (int s = first[c] + 1; s <= last[c]; s++)
                    {
                        v = Avx.BlendVariable(v, Vector256.Load(src + segOffset[s] + (8 * c)), masks[(c * NR) + s]);
                    }

                    if (strideW == 1)
                    {
                        Vector256.Store(v, dst + (8 * c));
                    }
                    else if ((c & 1) == 0)
                    {
                        previous = v;
                    }
                    else
                    {
                        Deinterleave2(previous, v, dst + (4 * (c - 1)));
                    }
                }

                cursor.Next();
            }
        }

        /// <summary>dst[j] = (a ‖ b)[2j] for j &lt; 8.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Deinterleave2(Vector256<float> a, Vector256<float> b, float* dst)
        {
            Vector256<float> even = Avx.Shuffle(a, b, 0b10_00_10_00);
            Vector256.Store(Avx2.Permute4x64(even.AsDouble(), 0b11_01_10_00).AsSingle(), dst);
        }
    }
}
