using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Sparsify.Runtime.Kernels;

/// <summary>
/// The threads every parallel kernel runs on: the caller is worker 0, and up to ProcessorCount - 1
/// dedicated background threads are the others. Between jobs a helper spins for
/// <see cref="SpinMicroseconds"/> before it parks, so the layer after layer of a model call keeps it
/// hot; the thread pool's wake-up costs tens of microseconds per layer and, on a busy machine, whole
/// scheduler quanta (the same reason ONNX Runtime and OpenMP spin their workers).
/// </summary>
/// <remarks>
/// Bodies must claim their work dynamically (see <see cref="For"/>): a helper that is busy with another
/// caller's job, or has not started when the caller runs out of work, is skipped or cancelled instead of
/// waited for, so concurrent callers never block on each other and results never depend on how many
/// helpers joined. Nothing is allocated per job.
/// </remarks>
internal static class WorkerThreads
{
    /// <summary>How long an idle helper spins before parking.</summary>
    public const int SpinMicroseconds = 200;

    private static readonly Lazy<Helper[]> Helpers = new(() =>
        Enumerable.Range(1, Math.Max(0, Environment.ProcessorCount - 1)).Select(i => new Helper(i)).ToArray());

    /// <summary>
    /// The threads a kernel asked for <paramref name="requested"/> runs on: every processor for 0 or less, and
    /// never more than the processors, since a thread beyond them would only wait for a core (a larger
    /// request is clamped, not refused). Results never depend on it.
    /// </summary>
    public static int Count(int requested)
        => requested <= 0 ? Environment.ProcessorCount : Math.Min(requested, Environment.ProcessorCount);

    /// <summary>Runs <paramref name="body"/>(worker) on up to <paramref name="workers"/> threads, the caller included; returns when every started one is done.</summary>
    public static void Run(int workers, Action<int> body)
    {
        var helpers = workers > 1 ? Helpers.Value : [];
        var count = Math.Min(workers - 1, helpers.Length);
        if (count <= 0)
        {
            body(0);
            return;
        }

        Span<bool> claimed = stackalloc bool[count];
        var next = 1;
        for (var i = 0; i < count; i++)
        {
            if (helpers[i].TryQueue(body, next))
            {
                claimed[i] = true;
                next++;
            }
        }

        Exception? failure = null;
        try
        {
            body(0);
        }
        catch (Exception e)
        {
            failure = e;
        }

        // Every claimed helper is cancelled or waited for, even after a failure here: a helper still
        // running the job after Run returns would read state its caller no longer holds.
        for (var i = 0; i < count; i++)
        {
            if (claimed[i])
            {
                var helperFailure = helpers[i].CancelOrWait();
                failure ??= helperFailure;
            }
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }

    /// <summary>Runs <paramref name="body"/>(i) for every i in [0, count) on up to <paramref name="workers"/> threads, each index exactly once.</summary>
    public static void For(int count, int workers, Action<int> body)
        => For(count, workers, body, static (in Action<int> action, int i) => action(i));

    /// <summary>
    /// Runs <paramref name="body"/>(state, i) for every i in [0, count) on up to <paramref name="workers"/>
    /// threads, each index exactly once. With a static lambda for the body nothing is allocated: the
    /// loop object is kept per calling thread and state type (a nested loop on the same thread gets a new one).
    /// </summary>
    public static void For<TState>(int count, int workers, in TState state, IndexBody<TState> body)
    {
        if (workers <= 1 || count <= 1)
        {
            for (var i = 0; i < count; i++)
            {
                body(in state, i);
            }

            return;
        }

        var loop = StateLoop<TState>.Rent();
        loop.Start(count, state, body);
        try
        {
            Run(Math.Min(workers, count), loop.Work);
        }
        finally
        {
            loop.Return();
        }
    }

    /// <summary>The shared index counter of a parallel loop and the state its body reads.</summary>
    private sealed class StateLoop<TState>
    {
        [ThreadStatic]
        private static StateLoop<TState>? cached;

        private TState _state = default!;
        private IndexBody<TState>? _body;
        private int _count;
        private int _next;

        private StateLoop() => Work = RunIndices;

        /// <summary>The delegate handed to the workers, made once per loop object.</summary>
        public Action<int> Work { get; }

        public static StateLoop<TState> Rent()
        {
            var loop = cached ?? new StateLoop<TState>();
            cached = null;
            return loop;
        }

        public void Start(int count, in TState state, IndexBody<TState> body)
        {
            _state = state;
            _body = body;
            _count = count;
            _next = -1;
        }

        public void Return()
        {
            _state = default!;
            _body = null;
            cached = this;
        }

        private void RunIndices(int worker)
        {
            var body = _body!;
            int i;
            while ((i = Interlocked.Increment(ref _next)) < _count)
            {
                body(in _state, i);
            }
        }
    }

    /// <summary>One dedicated thread. States: idle, claimed (a caller is filling in the job), queued, running.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Helpers live as long as the process; their semaphore is never disposed.")]
    private sealed class Helper
    {
        private const int Idle = 0, Claimed = 1, Queued = 2, Running = 3;
        private static readonly long SpinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;
        private readonly SemaphoreSlim _wake = new(0);
        private int _state;
        private int _sleeping;
        private int _worker;
        private Action<int>? _body;
        private Exception? _failure;

        public Helper(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Sparsify worker {index}" };
            thread.Start();
        }

        public bool TryQueue(Action<int> body, int worker)
        {
            if (Interlocked.CompareExchange(ref _state, Claimed, Idle) != Idle)
            {
                return false;
            }

            _body = body;
            _worker = worker;
            _failure = null;
            Interlocked.Exchange(ref _state, Queued);

            // Full fences on both sides (here and in Loop) mean a parking helper either sees the job or is woken.
            if (Volatile.Read(ref _sleeping) == 1)
            {
                _wake.Release();
            }

            return true;
        }

        public Exception? CancelOrWait()
        {
            if (Interlocked.CompareExchange(ref _state, Idle, Queued) == Queued)
            {
                return null;
            }

            var spin = default(SpinWait);
            while (Volatile.Read(ref _state) != Idle)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }

            return _failure;
        }

        private void Loop()
        {
            while (true)
            {
                var deadline = Stopwatch.GetTimestamp() + SpinTicks;
                while (Volatile.Read(ref _state) != Queued && Stopwatch.GetTimestamp() < deadline)
                {
                    Thread.SpinWait(20);
                }

                if (Volatile.Read(ref _state) != Queued)
                {
                    Interlocked.Exchange(ref _sleeping, 1);
                    if (Volatile.Read(ref _state) != Queued)
                    {
                        _wake.Wait();
                    }

                    Interlocked.Exchange(ref _sleeping, 0);
                    continue;
                }

                if (Interlocked.CompareExchange(ref _state, Running, Queued) != Queued)
                {
                    continue;
                }

                try
                {
                    _body!(_worker);
                }
                catch (Exception e)
                {
                    _failure = e;
                }

                _body = null;
                Volatile.Write(ref _state, Idle);
            }
        }
    }
}

/// <summary>One index of a parallel loop over a shared, read-only <typeparamref name="TState"/>.</summary>
/// <typeparam name="TState">What every index reads: pointers, shapes, a job.</typeparam>
/// <param name="state">The loop's state.</param>
/// <param name="index">The index to run.</param>
internal delegate void IndexBody<TState>(in TState state, int index);
