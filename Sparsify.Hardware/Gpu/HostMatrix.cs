using Sparsify.Runtime.Blob;
using Sparsify.Runtime.Formats;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Hardware.Gpu;

/// <summary>How a weight matrix is laid out for the device kernels.</summary>
internal enum MatrixLayout
{
    /// <summary>Row-major fp32, every weight.</summary>
    Dense,

    /// <summary>One column list per row.</summary>
    Csr,

    /// <summary>One column list per group of G rows, the group's values side by side per column.</summary>
    Group,
}

/// <summary>
/// One layer's weight matrix on the host, in the arrays the kernels walk: the compressed format the
/// compiler chose (group format, CSR) kept as it is, indices made absolute; unrolled layers (whose
/// weights live in the manifest text) are gathered into the same arrays.
/// </summary>
/// <param name="Rows">Rows (output channels or features).</param>
/// <param name="Columns">Columns ((ic, kh, kw) or input features).</param>
/// <param name="Layout">The layout.</param>
/// <param name="GroupSize">G for <see cref="MatrixLayout.Group"/>, 1 otherwise.</param>
/// <param name="Pointers">Entry offsets per row (CSR) or per group (Group); empty for dense.</param>
/// <param name="ValuePointers">Value offsets per group (Group only).</param>
/// <param name="ColumnIndices">Absolute column of each entry; empty for dense.</param>
/// <param name="Values">Weights: row-major (dense), per entry (CSR), per entry and lane (Group).</param>
internal sealed record HostMatrix(
    int Rows, int Columns, MatrixLayout Layout, int GroupSize, int[] Pointers, int[] ValuePointers, int[] ColumnIndices, float[] Values)
{
    /// <summary>Reads the weights of <paramref name="weights"/> from the blob or the manifest.</summary>
    public static HostMatrix Load(string layer, ManifestWeights weights, WeightBlobReader blob)
    {
        if (weights.Format == "unrolled" || weights.WeightsBlob is null)
        {
            return FromUnrolled(weights);
        }

        var location = weights.WeightsBlob;
        if (location.Format == BlobFormat.Fp32)
        {
            var dense = blob.ReadFloats(location);
            return dense.Length == (long)weights.Rows * weights.Columns
                ? new HostMatrix(weights.Rows, weights.Columns, MatrixLayout.Dense, 1, [], [], [], dense)
                : throw new InvalidDataException($"layer '{layer}': the blob holds {dense.Length} weights for a {weights.Rows}x{weights.Columns} matrix");
        }

        return blob.ReadEncoded(location) switch
        {
            GroupLayer group => FromGroup(group),
            CsrLayer csr => new HostMatrix(csr.Rows, csr.Columns, MatrixLayout.Csr, 1, csr.RowPointers.ToArray(), [], csr.ColumnIndices.ToArray(), csr.Values.ToArray()),
            var other => FromDense(other.Rows, other.Columns, other.Decode()),
        };
    }

    /// <summary>
    /// The same matrix with rows independent (CSR): for a group format whose groups would straddle
    /// two convolution groups, which the group kernel does not handle.
    /// </summary>
    public HostMatrix ToCsr() => Layout switch
    {
        MatrixLayout.Csr => this,
        MatrixLayout.Dense => FromDense(Rows, Columns, Values),
        _ => FromDense(Rows, Columns, Densify()),
    };

    private float[] Densify()
    {
        var dense = new float[Rows * Columns];
        var groups = Pointers.Length - 1;
        for (var g = 0; g < groups; g++)
        {
            var height = Math.Min(GroupSize, Rows - (g * GroupSize));
            for (var e = Pointers[g]; e < Pointers[g + 1]; e++)
            {
                for (var lane = 0; lane < height; lane++)
                {
                    dense[(((g * GroupSize) + lane) * Columns) + ColumnIndices[e]] = Values[ValuePointers[g] + ((e - Pointers[g]) * height) + lane];
                }
            }
        }

        return dense;
    }

    private static HostMatrix FromGroup(GroupLayer group) => new(
        group.Rows, group.Columns, MatrixLayout.Group, group.GroupSize,
        group.GroupPointers.ToArray(), group.ValuePointers.ToArray(), group.AbsoluteColumns(), group.Values.ToArray());

    // Entries that are zero carry no work; CSR keeps only the others.
    private static HostMatrix FromDense(int rows, int columns, float[] dense)
    {
        var pointers = new int[rows + 1];
        var indices = new List<int>();
        var values = new List<float>();
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                var v = dense[(r * columns) + c];
                if (v != 0f)
                {
                    indices.Add(c);
                    values.Add(v);
                }
            }

            pointers[r + 1] = values.Count;
        }

        return new HostMatrix(rows, columns, MatrixLayout.Csr, 1, pointers, [], [.. indices], [.. values]);
    }

    // Unrolled weights come row-major from the manifest; G > 1 rebuilds the shared column lists.
    private static HostMatrix FromUnrolled(ManifestWeights w)
    {
        var byRow = new List<(int Column, float Value)>[w.Rows];
        for (var r = 0; r < w.Rows; r++)
        {
            byRow[r] = [];
        }

        foreach (var nz in w.Unrolled)
        {
            byRow[nz.Row].Add((nz.Column, nz.Value));
        }

        if (w.GroupSize <= 1)
        {
            var pointers = new int[w.Rows + 1];
            var entries = byRow.SelectMany(row => row.OrderBy(e => e.Column)).ToArray();
            for (var r = 0; r < w.Rows; r++)
            {
                pointers[r + 1] = pointers[r] + byRow[r].Count;
            }

            return new HostMatrix(w.Rows, w.Columns, MatrixLayout.Csr, 1, pointers, [], entries.Select(e => e.Column).ToArray(), entries.Select(e => e.Value).ToArray());
        }

        var g = w.GroupSize;
        var groups = (w.Rows + g - 1) / g;
        var groupPointers = new int[groups + 1];
        var valuePointers = new int[groups + 1];
        var columns = new List<int>();
        var values = new List<float>();
        for (var group = 0; group < groups; group++)
        {
            var height = Math.Min(g, w.Rows - (group * g));
            var shared = Enumerable.Range(group * g, height).SelectMany(r => byRow[r].Select(e => e.Column)).Distinct().Order().ToArray();
            foreach (var column in shared)
            {
                columns.Add(column);
                for (var lane = 0; lane < height; lane++)
                {
                    var row = byRow[(group * g) + lane];
                    var at = row.FindIndex(e => e.Column == column);
                    values.Add(at < 0 ? 0f : row[at].Value);
                }
            }

            groupPointers[group + 1] = columns.Count;
            valuePointers[group + 1] = values.Count;
        }

        return new HostMatrix(w.Rows, w.Columns, MatrixLayout.Group, g, groupPointers, valuePointers, [.. columns], [.. values]);
    }
}
