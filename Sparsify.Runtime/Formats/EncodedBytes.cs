namespace Sparsify.Runtime.Formats;

/// <summary>
/// Exact bytes of one encoded layer's arrays, at the widths the serialized blob and the hardware
/// model use. Padding entries and explicit zeros are inside <see cref="Indices"/> and
/// <see cref="Values"/>; the serialized header (<see cref="EncodedLayer.HeaderBytes"/>) is not counted.
/// </summary>
/// <param name="Pointers">Row or group pointers, 4 bytes each.</param>
/// <param name="Indices">Column or relative indices: absolute ones at 1, 2 or 4 bytes each, relative ones bit-packed per partition.</param>
/// <param name="Values">Stored values (including padding entries and explicit zeros) at the value width asked for.</param>
public readonly record struct EncodedBytes(long Pointers, long Indices, long Values)
{
    /// <summary>Everything counted: pointers + indices + values.</summary>
    public long Total => Pointers + Indices + Values;
}
