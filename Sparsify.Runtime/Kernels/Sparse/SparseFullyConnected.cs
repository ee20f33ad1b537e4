using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Sparsify.Runtime.Formats;

namespace Sparsify.Runtime.Kernels;

/// <summary>
/// A sparse fully connected layer (batch 1): output = W · input + bias (then ReLU), from the group
/// format (one input read feeds the G rows of a group, a vector of G weights per column) or CSR.
/// </summary>
/// <remarks>
/// Row groups are split over threads; each output is summed the same way by whichever thread runs it.
/// One instance must not run concurrently with itself.
/// </remarks>
public sealed unsafe class SparseFullyConnected
{
    /// <summary>Row groups per claimed chunk; layers of fewer than two chunks stay on one thread.</summary>
    private const int MinGroupsPerWorker = 16;

    private readonly SparseTapTable _table;
    private readonly int _inFeatures;
    private readonly int _outFeatures;
    private readonly float[] _bias;
    private readonly Action<int> _worker;

    // The current call's arguments, read by the workers.
    private float* _input;
    private float* _output;
    private bool _relu;
    private int _nextChunk;

    private SparseFullyConnected(SparseTapTable table, int inFeatures, int outFeatures, ReadOnlySpan<float> bias)
    {
        if (!bias.IsEmpty && bias.Length != outFeatures)
        {
            throw new ArgumentException($"the bias holds {bias.Length} values for {outFeatures} outputs", nameof(bias));
        }

        _table = table;
        _inFeatures = inFeatures;
        _outFeatures = outFeatures;
        _bias = bias.IsEmpty ? new float[outFeatures] : bias.ToArray();
        _worker = Worker;
    }

    /// <summary>
    /// A layer over a group-format matrix of outFeatures rows and inFeatures columns; rows are summed
    /// gcd(G, outFeatures) at a time (G when it divides the rows), eight lanes per vector.
    /// </summary>
    /// <exception cref="ArgumentException">The matrix shape or the bias length does not match.</exception>
    public static SparseFullyConnected FromGroups(int inFeatures, int outFeatures, GroupLayer weights, ReadOnlySpan<float> bias)
    {
        CheckShape(inFeatures, outFeatures, weights);
        return new SparseFullyConnected(SparseTapTable.FromGroups(weights!, outFeatures, column => column), inFeatures, outFeatures, bias);
    }

    /// <summary>A layer over a CSR matrix of outFeatures rows and inFeatures columns.</summary>
    /// <exception cref="ArgumentException">The matrix shape or the bias length does not match.</exception>
    public static SparseFullyConnected FromCsr(int inFeatures, int outFeatures, CsrLayer weights, ReadOnlySpan<float> bias)
    {
        CheckShape(inFeatures, outFeatures, weights);
        return new SparseFullyConnected(SparseTapTable.FromCsr(weights!, column => column), inFeatures, outFeatures, bias);
    }

    /// <summary>Computes one input vector's outputs.</summary>
    /// <param name="input">inFeatures floats.</param>
    /// <param name="relu">Whether negative results become zero.</param>
    /// <param name="output">outFeatures floats.</param>
    /// <param name="threads">Worker threads (1 runs on the calling thread; 0 or less: every processor).</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public void Run(ReadOnlySpan<float> input, bool relu, Span<float> output, int threads)
    {
        if (input.Length < _inFeatures || output.Length < _outFeatures)
        {
            throw new ArgumentException($"the layer reads {_inFeatures} and writes {_outFeatures} floats; got {input.Length} and {output.Length}");
        }

        var groups = _table.GroupCount;
        var workers = WorkerThreads.Count(threads);
        workers = Math.Max(1, Math.Min(workers, groups / MinGroupsPerWorker));
        fixed (float* x = input)
        fixed (float* y = output)
        {
            _input = x;
            _output = y;
            _relu = relu;
            _nextChunk = 0;
            try
            {
                WorkerThreads.Run(workers, _worker);
            }
            finally
            {
                _input = null;
                _output = null;
            }
        }
    }

    /// <summary>Workers claim chunks of row groups until none is left (a helper may start late or never).</summary>
    private void Worker(int worker)
    {
        var groups = _table.GroupCount;
        int chunk;
        while ((chunk = Interlocked.Increment(ref _nextChunk) - 1) * MinGroupsPerWorker < groups)
        {
            var first = chunk * MinGroupsPerWorker;
            RunGroups(_input, _output, first, Math.Min(groups, first + MinGroupsPerWorker), _relu);
        }
    }

    private static void CheckShape(int inFeatures, int outFeatures, EncodedLayer? weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Rows != outFeatures || weights.Columns != inFeatures)
        {
            throw new ArgumentException($"a {weights.Rows}×{weights.Columns} matrix is not {outFeatures}×{inFeatures}", nameof(weights));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunGroups(float* x, float* y, int firstGroup, int endGroup, bool relu)
    {
        var rows = _table.RowsPerGroup;
        for (var group = firstGroup; group < endGroup; group++)
        {
            var (start, end) = _table.TapRange(group);
            var firstRow = group * rows;
            var lane = 0;
            if (Fma.IsSupported && Avx.IsSupported)
            {
                for (; lane + 8 <= rows; lane += 8)
                {
                    var sum = Lanes8(x, start, end, lane) + Vector256.Create(_bias.AsSpan(firstRow + lane, 8));
                    if (relu)
                    {
                        // Vector256.Max is the IEEE 754 maximum: a NaN sum stays NaN (a bare MAXPS with the sum first would drop it).
                        sum = Vector256.Max(sum, Vector256<float>.Zero);
                    }

                    sum.CopyTo(new Span<float>(y + firstRow + lane, 8));
                }
            }

            for (; lane < rows; lane++)
            {
                var sum = Lane(x, start, end, lane) + _bias[firstRow + lane];
                y[firstRow + lane] = relu ? Math.Max(sum, 0f) : sum;
            }
        }
    }

    /// <summary>Eight rows of a group: per column one broadcast input times eight weights, two independent chains.</summary>
    private Vector256<float> Lanes8(float* x, int start, int end, int lane)
    {
        var rows = _table.RowsPerGroup;
        var offsets = _table.OffsetsPointer;
        var values = _table.ValuesPointer + lane;
        Vector256<float> even = default, odd = default;
        var k = start;
        for (; k + 2 <= end; k += 2)
        {
            even = Fma.MultiplyAdd(Vector256.Create(x[offsets[k]]), Vector256.Load(values + ((long)k * rows)), even);
            odd = Fma.MultiplyAdd(Vector256.Create(x[offsets[k + 1]]), Vector256.Load(values + ((long)(k + 1) * rows)), odd);
        }

        if (k < end)
        {
            even = Fma.MultiplyAdd(Vector256.Create(x[offsets[k]]), Vector256.Load(values + ((long)k * rows)), even);
        }

        return even + odd;
    }

    /// <summary>One row: a dot product over the row's columns, four chains.</summary>
    private float Lane(float* x, int start, int end, int lane)
    {
        var rows = _table.RowsPerGroup;
        var offsets = _table.OffsetsPointer;
        var values = _table.ValuesPointer + lane;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        var k = start;
        for (; k + 4 <= end; k += 4)
        {
            s0 = MathF.FusedMultiplyAdd(x[offsets[k]], values[(long)k * rows], s0);
            s1 = MathF.FusedMultiplyAdd(x[offsets[k + 1]], values[(long)(k + 1) * rows], s1);
            s2 = MathF.FusedMultiplyAdd(x[offsets[k + 2]], values[(long)(k + 2) * rows], s2);
            s3 = MathF.FusedMultiplyAdd(x[offsets[k + 3]], values[(long)(k + 3) * rows], s3);
        }

        for (; k < end; k++)
        {
            s0 = MathF.FusedMultiplyAdd(x[offsets[k]], values[(long)k * rows], s0);
        }

        return (s0 + s1) + (s2 + s3);
    }
}
