using System.Globalization;
using Sparsify.Runtime.Formats;

namespace Sparsify.Core.Formats;

/// <summary>
/// What one encoded layer costs, for the per-layer report and the buffer and balance checks.
/// Bytes count the encoded arrays exactly (pointers at 4 bytes, indices at their stored width,
/// values at 4 or 2 bytes, padding entries and explicit zeros included); the serialized header
/// (<see cref="EncodedLayer.HeaderBytes"/>) is not counted. Dense figures are Rows * Columns values.
/// </summary>
/// <param name="Format">The layout.</param>
/// <param name="LayerName">The layer, when known.</param>
/// <param name="Rows">Rows (output channels or features).</param>
/// <param name="Columns">Columns (filter positions or input features).</param>
/// <param name="NonZeros">Kept weights (kept 0.0 values included).</param>
/// <param name="StoredEntries">Index entries, padding included.</param>
/// <param name="StoredValues">Values stored: kept weights + padding values + explicit zeros.</param>
/// <param name="PaddingEntries">Entries only bridging a gap too wide for the relative index.</param>
/// <param name="ExplicitZeros">Zeros stored for removed weights sharing a group's column.</param>
/// <param name="IndexEncoding">Absolute or relative indices.</param>
/// <param name="IndexBits">Bits per index.</param>
/// <param name="Partition">Which partitions <see cref="PartitionEntries"/> counts over: "row", "PE" or "group".</param>
/// <param name="BytesFp32">Exact bytes with fp32 values (equal to the serialized payload).</param>
/// <param name="Bytes16">Exact bytes with 16-bit values.</param>
/// <param name="PartitionEntries">Index entries per partition (padding included): the load each row, PE or group carries.</param>
/// <param name="PartitionBytes16">Index and value bytes per partition with 16-bit values: what each PE or group buffer must hold.</param>
public sealed record FormatReport(
    EncodedFormat Format,
    string? LayerName,
    int Rows,
    int Columns,
    int NonZeros,
    int StoredEntries,
    int StoredValues,
    int PaddingEntries,
    int ExplicitZeros,
    IndexEncoding IndexEncoding,
    int IndexBits,
    string Partition,
    EncodedBytes BytesFp32,
    EncodedBytes Bytes16,
    IReadOnlyList<int> PartitionEntries,
    IReadOnlyList<long> PartitionBytes16)
{
    /// <summary>Dense fp32 bytes: Rows * Columns * 4.</summary>
    public long DenseBytesFp32 => (long)Rows * Columns * FormatDefaults.BytesFp32;

    /// <summary>Dense 16-bit bytes: Rows * Columns * 2.</summary>
    public long DenseBytes16 => (long)Rows * Columns * FormatDefaults.Bytes16;

    /// <summary>Fraction of weights removed.</summary>
    public double Sparsity => 1.0 - ((double)NonZeros / ((long)Rows * Columns));

    /// <summary>Dense fp32 bytes over encoded fp32 bytes (above 1 means the format is smaller).</summary>
    public double CompressionFp32 => (double)DenseBytesFp32 / BytesFp32.Total;

    /// <summary>Dense 16-bit bytes over encoded 16-bit bytes.</summary>
    public double Compression16 => (double)DenseBytes16 / Bytes16.Total;

    /// <summary>Load imbalance: largest partition's entries over the mean (1 = perfectly even, or nothing stored).</summary>
    public double Imbalance
    {
        get
        {
            long sum = 0;
            var max = 0;
            foreach (var e in PartitionEntries)
            {
                sum += e;
                max = Math.Max(max, e);
            }

            return sum == 0 ? 1 : max / ((double)sum / PartitionEntries.Count);
        }
    }

    /// <summary>Largest partition buffer with 16-bit values, to hold against a PE's local buffer.</summary>
    public long MaxPartitionBytes16 => PartitionBytes16.Count == 0 ? 0 : PartitionBytes16.Max();

    /// <summary>The report of <paramref name="layer"/>.</summary>
    public static FormatReport Of(EncodedLayer layer, string? layerName = null)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var entries = new int[layer.PartitionCount];
        var bytes = new long[layer.PartitionCount];
        for (var p = 0; p < entries.Length; p++)
        {
            entries[p] = layer.PartitionEntries(p);
            bytes[p] = layer.PartitionBytes(p, FormatDefaults.Bytes16);
        }

        var partition = layer.Format switch
        {
            EncodedFormat.Csr => "row",
            EncodedFormat.Pe => "PE",
            _ => "group",
        };
        return new FormatReport(
            layer.Format, layerName, layer.Rows, layer.Columns, layer.NonZeros, layer.StoredEntries, layer.StoredValues,
            layer.PaddingEntries, layer.ExplicitZeros, layer.IndexEncoding, layer.IndexBits, partition,
            layer.CountBytes(FormatDefaults.BytesFp32), layer.CountBytes(FormatDefaults.Bytes16), entries, bytes);
    }

    /// <summary>One line for logs and tables.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{LayerName ?? "layer"} {Format} {Rows}x{Columns}: {NonZeros} nonzeros ({Sparsity * 100:F1}% sparse), {StoredEntries} entries ({PaddingEntries} padding, {ExplicitZeros} explicit zeros), " +
        $"{IndexBits}-bit {IndexEncoding} indices, {BytesFp32.Total} B fp32 ({CompressionFp32:F2}x), {Bytes16.Total} B 16-bit ({Compression16:F2}x), imbalance {Imbalance:F3} over {PartitionEntries.Count} {Partition}s");
}
