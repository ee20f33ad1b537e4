namespace Sparsify.Core.Ir;

/// <summary>
/// A dense float32 tensor: a shape and its row-major data. Weights are mutable on purpose, so that
/// pruning and training can work in place.
/// </summary>
public sealed class Tensor
{
    /// <summary>Wraps <paramref name="data"/>, whose length must match <paramref name="shape"/>.</summary>
    public Tensor(Shape shape, float[] data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != shape.ElementCount)
        {
            throw new ArgumentException($"shape {shape} needs {shape.ElementCount} values, got {data.Length}", nameof(data));
        }

        Shape = shape;
        Data = data;
    }

    /// <summary>A zero-filled tensor.</summary>
    public Tensor(Shape shape)
        : this(shape, new float[shape.ElementCount])
    {
    }

    /// <summary>The shape.</summary>
    public Shape Shape { get; }

    /// <summary>The values, row-major.</summary>
    public float[] Data { get; }

    /// <summary>Number of elements.</summary>
    public int Length => Data.Length;

    /// <summary>A deep copy.</summary>
    public Tensor Clone() => new(Shape, (float[])Data.Clone());

    /// <inheritdoc />
    public override string ToString() => $"Tensor {Shape}";
}
