using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Sparsify.Runtime.Kernels;

internal static unsafe partial class Sgemm
{
    /// <summary>
    /// A matrix A (m×k) packed once, as every GEMM tile would pack it per call: for each k block
    /// (<see cref="KBlock"/>) the rows in <see cref="MR"/>-row micro-panels of kc steps, missing rows of
    /// the last panel repeating its last real row. Weights are packed at construction this way, so a call
    /// reads them in the micro-kernel's order and never rewrites them.
    /// </summary>
    /// <remarks>
    /// Block kb starts at kb·KBlockLength·<see cref="PaddedRows"/> (every block but the last has that
    /// length), and within it row r (a multiple of MR) at r·kc: exactly the offsets of a tile's own
    /// packed buffer, so tiles of any shape read their rows from here. Packed with the same
    /// <see cref="PackA"/> as per call, so results are bitwise those of the unpacked matrix.
    /// </remarks>
    internal sealed class PackedA
    {
        // PackA writes up to 2 floats past a micro-panel (the next one overwrites them); 16 more cover the last.
        private const int Slack = 16;

        private readonly float[] _data;
        private readonly int _offset;

        public PackedA(int m, int k, float* a, int lda, SimdLevel level)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(m);
            ArgumentOutOfRangeException.ThrowIfNegative(k);
            ArgumentOutOfRangeException.ThrowIfLessThan(lda, k);
            Rows = m;
            Depth = k;
            PaddedRows = CeilDiv(m, MR) * MR;
            long length = ((long)PaddedRows * k) + Slack + 16;
            if (length > Array.MaxLength)
            {
                throw new ArgumentException($"A {m}×{k} matrix is too large to pack.", nameof(m));
            }

            _data = GC.AllocateArray<float>((int)length, pinned: true);
            nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_data));
            _offset = (int)((((start + 63) & ~(nint)63) - start) / sizeof(float));
            float* dst = Start;
            for (int kb = 0; kb < KBlockCount(k); kb++)
            {
                (int pc, int kc) = KBlock(k, kb);
                for (int row = 0; row < m; row += MR, dst += MR * kc)
                {
                    PackA(a + ((nint)row * lda) + pc, lda, Math.Min(MR, m - row), kc, dst, level);
                }
            }
        }

        /// <summary>Rows of A.</summary>
        public int Rows { get; }

        /// <summary>Columns of A (the GEMM's k).</summary>
        public int Depth { get; }

        /// <summary>Rows rounded up to whole micro-panels.</summary>
        public int PaddedRows { get; }

        /// <summary>The first packed float (64-byte aligned; the array is pinned for its lifetime).</summary>
        public float* Start => (float*)Unsafe.AsPointer(ref _data[_offset]);

        /// <summary>Rows from <paramref name="row"/> (a multiple of MR) of the k block starting at <paramref name="pc"/>, length kc.</summary>
        public float* Block(int pc, int kc, int row) => Start + ((nint)pc * PaddedRows) + ((nint)row * kc);
    }
}
