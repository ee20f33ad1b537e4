namespace Sparsify.Runtime;

/// <summary>
/// The rule that one instance of a generated model runs one call at a time: its activation buffers and
/// kernel scratch belong to the instance, so two calls at once would overwrite each other's data. A
/// second concurrent caller gets an <see cref="InvalidOperationException"/> instead of corrupt results;
/// the check costs one interlocked exchange per call.
/// </summary>
public static class ModelCalls
{
    /// <summary>Marks the instance whose flag is <paramref name="running"/> as running.</summary>
    /// <param name="running">The instance's flag: 0 when idle.</param>
    /// <param name="model">The model's name, for the message.</param>
    /// <exception cref="InvalidOperationException">The instance is already running a call on another thread.</exception>
    public static void Enter(ref int running, string model)
    {
        if (Interlocked.Exchange(ref running, 1) != 0)
        {
            throw new InvalidOperationException(
                $"An instance of the model '{model}' was called from two threads at once. An instance runs one call at a time "
                + "(its buffers belong to it); create one instance per thread: instances share nothing and run concurrently.");
        }
    }

    /// <summary>Marks the instance as idle again.</summary>
    /// <param name="running">The instance's flag.</param>
    public static void Exit(ref int running) => Volatile.Write(ref running, 0);
}
