using Sparsify.Core.Ir;

namespace Sparsify.Training.Data;

/// <summary>
/// Labelled images of one shape, stored back to back (each sample [Channels, Height, Width],
/// row-major), with integer class labels. Immutable: slices copy.
/// </summary>
public sealed class ImageDataset
{
    private readonly float[] _images;
    private readonly int[] _labels;

    /// <summary>
    /// Wraps <paramref name="images"/> (<paramref name="labels"/>.Length samples of
    /// <paramref name="sampleShape"/>) and their labels in [0, <paramref name="classCount"/>).
    /// </summary>
    public ImageDataset(string name, Shape sampleShape, float[] images, int[] labels, int classCount)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(sampleShape);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        if (sampleShape.Rank != 3)
        {
            throw new ArgumentException($"a sample must be [channels, height, width], got {sampleShape}", nameof(sampleShape));
        }

        if (images.Length != (long)labels.Length * sampleShape.ElementCount)
        {
            throw new ArgumentException($"{labels.Length} samples of {sampleShape} need {(long)labels.Length * sampleShape.ElementCount} values, got {images.Length}", nameof(images));
        }

        for (var i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
            {
                throw new ArgumentException($"label {labels[i]} of sample {i} is outside [0, {classCount})", nameof(labels));
            }
        }

        Name = name;
        SampleShape = sampleShape;
        _images = images;
        _labels = labels;
        ClassCount = classCount;
    }

    /// <summary>A short description, e.g. <c>mnist-train</c>.</summary>
    public string Name { get; }

    /// <summary>Shape of one sample, [Channels, Height, Width].</summary>
    public Shape SampleShape { get; }

    /// <summary>Values per sample.</summary>
    public int SampleLength => SampleShape.ElementCount;

    /// <summary>Number of samples.</summary>
    public int Count => _labels.Length;

    /// <summary>Number of classes; labels lie in [0, ClassCount).</summary>
    public int ClassCount { get; }

    /// <summary>All samples' values, back to back.</summary>
    public ReadOnlySpan<float> Images => _images;

    /// <summary>All labels, in sample order.</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>The values of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Image(int index) => _images.AsSpan(checked(index * SampleLength), SampleLength);

    /// <summary>The label of sample <paramref name="index"/>.</summary>
    public int Label(int index) => _labels[index];

    /// <summary>Number of samples of each class.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassCount];
        foreach (var label in _labels)
        {
            counts[label]++;
        }

        return counts;
    }

    /// <summary>Samples [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) as a new dataset.</summary>
    public ImageDataset Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + (long)count, Count, nameof(count));
        return new ImageDataset(
            Name,
            SampleShape,
            _images.AsSpan(start * SampleLength, count * SampleLength).ToArray(),
            _labels.AsSpan(start, count).ToArray(),
            ClassCount);
    }

    /// <summary>
    /// <paramref name="count"/> samples at evenly spaced indices. MNIST is stored class by class, so
    /// a plain prefix would hold one digit; evenly spaced picks keep every class's share.
    /// </summary>
    public ImageDataset Subsample(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count);
        var images = new float[count * SampleLength];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            var source = (int)((long)i * Count / count);
            Image(source).CopyTo(images.AsSpan(i * SampleLength, SampleLength));
            labels[i] = _labels[source];
        }

        return new ImageDataset(Name, SampleShape, images, labels, ClassCount);
    }

    /// <summary>Samples [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) as one NCHW batch tensor.</summary>
    public Tensor Batch(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + (long)count, Count, nameof(count));
        var shape = new Shape(count, SampleShape[0], SampleShape[1], SampleShape[2]);
        return new Tensor(shape, _images.AsSpan(start * SampleLength, count * SampleLength).ToArray());
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Count} x {SampleShape}, {ClassCount} classes";
}
