using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Sparsify.Core.Execution.Kernels;

internal static unsafe partial class Sgemm
{
    /// <summary>Panels packed per parallel work item.</summary>
    internal const int PackPanelsPerItem = 8;

    /// <summary>
    /// Packs row-major B (B[r, j] at b[r·ldb + j]) into the layout <see cref="MultiplyPacked"/> reads:
    /// for each k block, for each panel of <see cref="NR"/> columns, kc rows of NR floats (zero padded
    /// past column n).
    /// </summary>
    internal static void PackB(int n, int k, float* b, int ldb, float* packed, int dop, SimdLevel level)
    {
        int nPanels = PanelCount(n);
        int items = CeilDiv(nPanels, PackPanelsPerItem);
        RunParallel(items, items < 2 ? 1 : dop, item =>
        {
            int panelEnd = Math.Min(nPanels, (item + 1) * PackPanelsPerItem);
            int kBlocks = KBlockCount(k);
            for (int kb = 0; kb < kBlocks; kb++)
            {
                (int pc, int kc) = KBlock(k, kBlocks, kb);
                for (int panel = item * PackPanelsPerItem; panel < panelEnd; panel++)
                {
                    float* dst = packed + ((nint)pc * nPanels * NR) + ((nint)panel * kc * NR);
                    float* src = b + ((nint)pc * ldb) + (panel * NR);
                    int cols = Math.Min(NR, n - (panel * NR));
                    if (cols == NR)
                    {
                        for (int r = 0; r < kc; r++, src += ldb, dst += NR)
                        {
                            Copy16(src, dst, level);
                        }
                    }
                    else
                    {
                        for (int r = 0; r < kc; r++, src += ldb, dst += NR)
                        {
                            int j = 0;
                            for (; j < cols; j++)
                            {
                                dst[j] = src[j];
                            }

                            for (; j < NR; j++)
                            {
                                dst[j] = 0f;
                            }
                        }
                    }
                }
            }
        });
    }

    /// <summary>
    /// Packs B given transposed (B[r, j] at bt[j·ldbt + r], i.e. Bᵀ row-major) into the same layout as
    /// <see cref="PackB"/>.
    /// </summary>
    internal static void PackBTransposed(int n, int k, float* bt, int ldbt, float* packed, int dop)
    {
        int nPanels = PanelCount(n);
        int items = CeilDiv(nPanels, PackPanelsPerItem);
        RunParallel(items, items < 2 ? 1 : dop, item =>
        {
            int panelEnd = Math.Min(nPanels, (item + 1) * PackPanelsPerItem);
            int kBlocks = KBlockCount(k);
            for (int kb = 0; kb < kBlocks; kb++)
            {
                (int pc, int kc) = KBlock(k, kBlocks, kb);
                for (int panel = item * PackPanelsPerItem; panel < panelEnd; panel++)
                {
                    float* dst = packed + ((nint)pc * nPanels * NR) + ((nint)panel * kc * NR);
                    int col0 = panel * NR;
                    int cols = Math.Min(NR, n - col0);
                    for (int j = 0; j < NR; j++)
                    {
                        if (j < cols)
                        {
                            float* src = bt + ((nint)(col0 + j) * ldbt) + pc;
                            for (int r = 0; r < kc; r++)
                            {
                                dst[(r * NR) + j] = src[r];
                            }
                        }
                        else
                        {
                            for (int r = 0; r < kc; r++)
                            {
                                dst[(r * NR) + j] = 0f;
                            }
                        }
                    }
                }
            }
        });
    }

    /// <summary>Copies 16 floats; dst is 64-byte aligned in packed buffers.</summary>
    internal static void Copy16(float* src, float* dst, SimdLevel level)
    {
        if (level == SimdLevel.Avx2Fma)
        {
            Vector256.Store(Vector256.Load(src), dst);
            Vector256.Store(Vector256.Load(src + 8), dst + 8);
        }
        else if (level == SimdLevel.Vector128)
        {
            Vector128.Store(Vector128.Load(src), dst);
            Vector128.Store(Vector128.Load(src + 4), dst + 4);
            Vector128.Store(Vector128.Load(src + 8), dst + 8);
            Vector128.Store(Vector128.Load(src + 12), dst + 12);
        }
        else
        {
            for (int j = 0; j < 16; j++)
            {
                dst[j] = src[j];
            }
        }
    }

    /// <summary>
    /// A pooled float buffer pinned for the duration of a call, its pointer aligned to 64 bytes
    /// (one cache line: every packed B row of 16 floats is then one line).
    /// </summary>
    internal struct PinnedBuffer : IDisposable
    {
        private float[]? _array;
        private GCHandle _handle;

        public PinnedBuffer(long length)
        {
            if (length + 16 > Array.MaxLength)
            {
                throw new ArgumentOutOfRangeException(nameof(length), length, "The packed matrix is too large.");
            }

            _array = ArrayPool<float>.Shared.Rent((int)length + 16);
            _handle = GCHandle.Alloc(_array, GCHandleType.Pinned);
            nint address = _handle.AddrOfPinnedObject();
            Pointer = (float*)((address + 63) & ~(nint)63);
        }

        public float* Pointer { get; private set; }

        public void Dispose()
        {
            if (_array is not null)
            {
                _handle.Free();
                ArrayPool<float>.Shared.Return(_array);
                _array = null;
                Pointer = null;
            }
        }
    }
}
