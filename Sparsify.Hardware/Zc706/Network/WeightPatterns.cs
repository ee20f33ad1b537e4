using Sparsify.Runtime.Formats;

namespace Sparsify.Hardware.Zc706.Network;

/// <summary>Each row's nonzero columns, read from a compressed layer without decoding it to a dense matrix.</summary>
internal static class WeightPatterns
{
    public static int[][] RowColumns(EncodedLayer layer) => layer switch
    {
        GroupLayer group => OfGroups(group),
        CsrLayer csr => OfCsr(csr),
        _ => OfDense(layer.Decode(), layer.Rows, layer.Columns),
    };

    private static int[][] OfGroups(GroupLayer layer)
    {
        var columns = layer.AbsoluteColumns();
        var pointers = layer.GroupPointers;
        var valuePointers = layer.ValuePointers;
        var values = layer.Values;
        var rows = new List<int>[layer.Rows];
        for (var g = 0; g < layer.GroupCount; g++)
        {
            var height = layer.GroupHeight(g);
            var firstRow = g * layer.GroupSize;
            for (var lane = 0; lane < height; lane++)
            {
                rows[firstRow + lane] = new List<int>(pointers[g + 1] - pointers[g]);
            }

            for (var e = pointers[g]; e < pointers[g + 1]; e++)
            {
                var v = valuePointers[g] + ((e - pointers[g]) * height);
                for (var lane = 0; lane < height; lane++)
                {
                    // Padding entries and explicit zeros carry zero values: they are not nonzeros.
                    if (values[v + lane] != 0)
                    {
                        rows[firstRow + lane].Add(columns[e]);
                    }
                }
            }
        }

        return rows.Select(r => r?.ToArray() ?? []).ToArray();
    }

    private static int[][] OfCsr(CsrLayer layer)
    {
        var result = new int[layer.Rows][];
        for (var r = 0; r < layer.Rows; r++)
        {
            var start = layer.RowPointers[r];
            var end = layer.RowPointers[r + 1];
            var kept = new List<int>(end - start);
            for (var k = start; k < end; k++)
            {
                if (layer.Values[k] != 0)
                {
                    kept.Add(layer.ColumnIndices[k]);
                }
            }

            kept.Sort();
            result[r] = [.. kept];
        }

        return result;
    }

    private static int[][] OfDense(float[] dense, int rows, int columns)
    {
        var result = new int[rows][];
        for (var r = 0; r < rows; r++)
        {
            var kept = new List<int>();
            for (var c = 0; c < columns; c++)
            {
                if (dense[((long)r * columns) + c] != 0)
                {
                    kept.Add(c);
                }
            }

            result[r] = [.. kept];
        }

        return result;
    }
}
