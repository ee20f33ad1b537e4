namespace Sparsify.Runtime.Formats;

/// <summary>The group format's binary payload and the checks that make any accepted layer safe to decode.</summary>
public sealed partial class GroupLayer
{
    /// <inheritdoc />
    internal override void WritePayload(BinaryWriter writer)
    {
        PayloadIo.WriteInt32s(writer, _groupPointers);
        if (IndexEncoding == IndexEncoding.Absolute)
        {
            PayloadIo.WriteAbsolute(writer, _indices, IndexBits);
        }
        else
        {
            for (var g = 0; g < GroupCount; g++)
            {
                PayloadIo.WritePacked(writer, _indices.AsSpan(_groupPointers[g], PartitionEntries(g)), IndexBits);
            }
        }

        PayloadIo.WriteSingles(writer, _values);
    }

    /// <summary>Reads the payload written by <see cref="WritePayload"/>.</summary>
    internal static GroupLayer ReadPayload(in LayerHeader header, ref PayloadReader reader)
    {
        if (BasicProblem(header.Rows, header.Columns, header.Parameter, header.Encoding, header.IndexBits) is { } basic)
        {
            throw LayerSerializer.Corrupt($"group layer: {basic}");
        }

        var groups = (int)(((long)header.Rows + header.Parameter - 1) / header.Parameter);
        var groupPointers = reader.ReadInt32s(groups + 1, "group pointers");
        if (PointerProblem(groupPointers, groups + 1, header.StoredEntries, "group") is { } pointers)
        {
            throw LayerSerializer.Corrupt($"group layer: {pointers}");
        }

        int[] indices;
        if (header.Encoding == IndexEncoding.Absolute)
        {
            indices = reader.ReadAbsolute(header.StoredEntries, header.IndexBits, "column indices");
        }
        else
        {
            indices = new int[header.StoredEntries];
            for (var g = 0; g < groups; g++)
            {
                var start = groupPointers[g];
                reader.ReadPacked(indices.AsSpan(start, groupPointers[g + 1] - start), header.IndexBits, $"indices of group {g}");
            }
        }

        var values = reader.ReadSingles(header.StoredValues, "values");
        try
        {
            return new GroupLayer(header.Rows, header.Columns, header.Parameter, header.Encoding, header.IndexBits,
                groupPointers, indices, values, header.NonZeros, header.PaddingEntries, header.ExplicitZeros);
        }
        catch (ArgumentException e)
        {
            throw LayerSerializer.Corrupt(e.Message, e);
        }
    }

    private static string? BasicProblem(int rows, int columns, int groupSize, IndexEncoding encoding, int indexBits)
    {
        if (ShapeProblem(rows, columns) is { } shape)
        {
            return shape;
        }

        if (groupSize < 1)
        {
            return $"group size {groupSize} must be at least 1";
        }

        return encoding switch
        {
            IndexEncoding.Absolute when indexBits != IndexCodec.AbsoluteBits(columns) =>
                $"absolute indices of a {columns}-column matrix take {IndexCodec.AbsoluteBits(columns)} bits, not {indexBits}",
            IndexEncoding.Relative when indexBits is < IndexCodec.MinRelativeBits or > IndexCodec.MaxRelativeBits =>
                $"relative index bits {indexBits} must be {IndexCodec.MinRelativeBits} to {IndexCodec.MaxRelativeBits}",
            IndexEncoding.Absolute or IndexEncoding.Relative => null,
            _ => $"unknown index encoding {(int)encoding}",
        };
    }

    private static (int[] Pointers, string? Problem) ComputeValuePointers(int rows, int groupSize, int[] groupPointers, int valueCount)
    {
        var pointers = new int[groupPointers.Length];
        long total = 0;
        for (var g = 0; g + 1 < groupPointers.Length; g++)
        {
            total += (long)(groupPointers[g + 1] - groupPointers[g]) * Height(rows, groupSize, g);
            if (total > valueCount)
            {
                break;
            }

            pointers[g + 1] = (int)total;
        }

        return total == valueCount
            ? (pointers, null)
            : (pointers, $"the entries need {(total > valueCount ? "more than " : string.Empty)}{total} values (entries x group height), there are {valueCount}");
    }

    private string? EntryProblem()
    {
        if (_nonZeros < 0 || _padding < 0 || _explicitZeros < 0 || (long)_nonZeros + _explicitZeros > _values.Length)
        {
            return $"counts nonzeros {_nonZeros}, padding {_padding}, explicit zeros {_explicitZeros} do not fit {_values.Length} values";
        }

        var max = IndexEncoding == IndexEncoding.Relative ? IndexCodec.MaxRelative(IndexBits) : Columns - 1;
        var paddingCandidates = 0;
        for (var g = 0; g < GroupCount; g++)
        {
            var column = -1;
            for (var e = _groupPointers[g]; e < _groupPointers[g + 1]; e++)
            {
                var index = _indices[e];
                var next = IndexEncoding == IndexEncoding.Absolute ? index : column + index + 1;
                if (index < 0 || index > max || next <= column || next >= Columns)
                {
                    return $"group {g} entry {e}: index {index} is out of range or does not move past column {column}";
                }

                column = next;
                if (IndexEncoding == IndexEncoding.Relative && index == max && AllZero(e, g))
                {
                    paddingCandidates++;
                }
            }
        }

        // A padding entry has the largest gap and +0.0 in every lane; a kept column of +0.0 values at
        // that gap looks the same, so this bounds the count rather than fixing it.
        return _padding > paddingCandidates
            ? $"{_padding} padding entries claimed but only {paddingCandidates} entries have the largest gap and zero values"
            : null;
    }

    private bool AllZero(int entry, int group)
    {
        var height = GroupHeight(group);
        var start = _valuePointers[group] + ((entry - _groupPointers[group]) * height);
        foreach (var v in _values.AsSpan(start, height))
        {
            if (BitConverter.SingleToInt32Bits(v) != 0)
            {
                return false;
            }
        }

        return true;
    }
}
