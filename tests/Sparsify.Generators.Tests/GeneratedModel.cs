using System.Reflection;
using System.Runtime;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Sparsify.Core.Compilation;

namespace Sparsify.Generators.Tests;

/// <summary>
/// A compiled model's generated code built into an in-memory assembly, with the weight blob embedded
/// under the resource name the generated class expects, loaded in a collectible context.
/// </summary>
internal sealed class GeneratedModel : IDisposable
{
    private readonly AssemblyLoadContext _context;
    private readonly object _instance;
    private readonly MethodInfo _run;

    private GeneratedModel(AssemblyLoadContext context, Type type, int threads, string source)
    {
        _context = context;
        Type = type;
        Source = source;
        try
        {
            _instance = Activator.CreateInstance(type, threads)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            context.Unload();
            throw e.InnerException;
        }

        _run = type.GetMethod("Run", [typeof(float[])])!;
    }

    public Type Type { get; }

    /// <summary>The instance <see cref="Run"/> calls.</summary>
    public object Instance => _instance;

    /// <summary>The generated source.</summary>
    public string Source { get; }

    /// <param name="compiled">The model whose blob is embedded.</param>
    /// <param name="threads">The constructor's threads.</param>
    /// <param name="ns">The generated class's namespace.</param>
    /// <param name="manifestText">The manifest the generator reads, when not the compiled one (a crafted edit).</param>
    public static GeneratedModel Build(CompiledModel compiled, int threads = 1, string ns = "App", string? manifestText = null)
    {
        var (result, output) = GeneratorHarness.Run(manifestText ?? compiled.ManifestText, ns);
        if (!result.Diagnostics.IsEmpty)
        {
            throw new InvalidOperationException(string.Join("\n", result.Diagnostics));
        }

        var className = $"{ns}.{compiled.Manifest.ClassName}";
        var symbol = output.GetTypeByMetadataName(className) ?? throw new InvalidOperationException($"no {className} generated");
        var resourceName = (string)symbol.GetMembers("WeightsResourceName").OfType<IFieldSymbol>().Single().ConstantValue!;
        var blob = compiled.Blob.ToArray();
        using var peStream = new MemoryStream();
        var emit = output.Emit(peStream, manifestResources: [new ResourceDescription(resourceName, () => new MemoryStream(blob), isPublic: true)]);
        if (!emit.Success)
        {
            throw new InvalidOperationException("generated code does not compile:\n" + string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(20)));
        }

        peStream.Position = 0;
        var context = new AssemblyLoadContext("generated-" + Guid.NewGuid().ToString("N"), isCollectible: true);
        var assembly = context.LoadFromStream(peStream);
        return new GeneratedModel(context, assembly.GetType(className, throwOnError: true)!, threads, result.GeneratedTrees.Single().ToString());
    }

    public object? Static(string name) => Type.GetProperty(name)?.GetValue(null) ?? Type.GetField(name)?.GetValue(null);

    public float[] Run(float[] input)
    {
        try
        {
            return (float[])_run.Invoke(_instance, [input])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    /// <summary>
    /// Bytes the calling thread allocates over <paramref name="calls"/> runs of the span overload,
    /// after as many runs to warm it up (the first run allocates its buffers).
    /// </summary>
    public long AllocatedBytes(float[] input, int calls)
    {
        // A background GC can advance the counter on a thread that allocates nothing (see the project file).
        Assert.AreEqual(GCLatencyMode.Batch, GCSettings.LatencyMode, "the allocation counts need a GC that never collects in the background");
        var run = (SpanRun)Delegate.CreateDelegate(typeof(SpanRun), _instance, Type.GetMethod("Run", [typeof(ReadOnlySpan<float>), typeof(Span<float>)])!);
        var output = new float[(int)Static("OutputLength")!];
        for (var i = 0; i < calls; i++)
        {
            run(input, output);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < calls; i++)
        {
            run(input, output);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    public void Dispose() => _context.Unload();

    private delegate void SpanRun(ReadOnlySpan<float> input, Span<float> output);
}
