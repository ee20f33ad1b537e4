using ILGPU;
using ILGPU.Runtime;

namespace Sparsify.Hardware.Gpu;

/// <summary>Every device buffer of one model, allocated once and freed together.</summary>
internal sealed class DeviceMemory(Accelerator accelerator) : IDisposable
{
    private readonly List<MemoryBuffer> _buffers = [];

    /// <summary>Bytes allocated on the device.</summary>
    public long Bytes { get; private set; }

    /// <summary>A zero-filled buffer of <paramref name="length"/> values (at least one, so a view always exists).</summary>
    public ArrayView<float> Floats(long length)
    {
        var buffer = accelerator.Allocate1D<float>(Math.Max(1, length));
        buffer.MemSetToZero();
        Track(buffer);
        return buffer.View;
    }

    /// <summary>A device copy of <paramref name="values"/>.</summary>
    public ArrayView<float> Upload(float[] values)
    {
        var view = Floats(values.Length);
        if (values.Length > 0)
        {
            view.SubView(0, values.Length).CopyFromCPU(values);
        }

        return view;
    }

    /// <summary>A device copy of <paramref name="values"/>.</summary>
    public ArrayView<int> Upload(int[] values)
    {
        var buffer = accelerator.Allocate1D<int>(Math.Max(1, values.Length));
        buffer.MemSetToZero();
        Track(buffer);
        ArrayView<int> view = buffer.View;
        if (values.Length > 0)
        {
            view.SubView(0, values.Length).CopyFromCPU(values);
        }

        return view;
    }

    public void Dispose()
    {
        foreach (var buffer in _buffers)
        {
            buffer.Dispose();
        }

        _buffers.Clear();
    }

    private void Track(MemoryBuffer buffer)
    {
        _buffers.Add(buffer);
        Bytes += buffer.LengthInBytes;
    }
}
