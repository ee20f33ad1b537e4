namespace Sparsify.Hardware.Zc706.Timing;

/// <summary>A layer needs more of an on-chip buffer than the configuration gives it, even in the smallest piece the array can stream.</summary>
public sealed class BufferCapacityException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public BufferCapacityException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with an inner exception.</summary>
    public BufferCapacityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public BufferCapacityException()
        : base("a layer does not fit the array's buffers")
    {
    }
}
