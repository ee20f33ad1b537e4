using System.Collections.Immutable;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Sparsify.Core.Compilation;
using Sparsify.Generators;

namespace Sparsify.Benchmarks.Generated;

/// <summary>One call of a generated model's <c>Run(ReadOnlySpan&lt;float&gt;, Span&lt;float&gt;)</c>.</summary>
public delegate void ModelRun(ReadOnlySpan<float> input, Span<float> output);

/// <summary>A generated model built in this process, with what it took to build it.</summary>
/// <param name="Run">The instance's Run method.</param>
/// <param name="SourceBytes">UTF-8 bytes of the generated C#.</param>
/// <param name="AssemblyBytes">Bytes of the compiled assembly without the weights.</param>
/// <param name="Generate">Time the generator took on the manifest.</param>
/// <param name="Compile">Time Roslyn took to compile the generated code.</param>
/// <param name="FirstCall">Time of the first Run (JIT included).</param>
public sealed record GeneratedModelBuild(ModelRun Run, long SourceBytes, long AssemblyBytes, TimeSpan Generate, TimeSpan Compile, TimeSpan FirstCall)
{
    /// <summary>The generated class's instance behind <see cref="Run"/>.</summary>
    public object Instance { get; init; } = null!;

    /// <summary>The generated source.</summary>
    public string Source { get; init; } = string.Empty;

    /// <summary>How long the model ran before the JIT's background work after the build had stopped (see <see cref="JitSettling"/>).</summary>
    public TimeSpan Settling { get; init; }
}

/// <summary>
/// Builds what a consumer's <c>dotnet build</c> builds from a compiled model, in memory: runs Sparsify's
/// source generator on the manifest, compiles the result in Release with the weight blob as the manifest
/// resource the class loads, and loads it. The same generated code as through the package, minus MSBuild.
/// It returns once the JIT has finished the background work the build left (<see cref="JitSettling"/>).
/// </summary>
public static class GeneratedModelCompiler
{
    private const string Namespace = "Bench";

    /// <summary>Builds <paramref name="compiled"/> and creates an instance running on <paramref name="threads"/> threads.</summary>
    public static GeneratedModelBuild Build(CompiledModel compiled, int threads)
    {
        ArgumentNullException.ThrowIfNull(compiled);
        var manifest = new InMemoryText("/bench/obj/sparsify/" + compiled.Manifest.ClassName + ".manifest", compiled.ManifestText);
        var options = new OptionsProvider(new Dictionary<string, string>
        {
            ["build_metadata.AdditionalFiles.SparsifyManifest"] = "true",
            ["build_metadata.AdditionalFiles.SparsifyNamespace"] = Namespace,
        });
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            "Bench." + compiled.Manifest.ClassName,
            [],
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, optimizationLevel: OptimizationLevel.Release));

        var watch = Stopwatch.StartNew();
        CSharpGeneratorDriver.Create([new SparsifyGenerator().AsSourceGenerator()], [manifest], parse, options)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var generate = watch.Elapsed;
        if (diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            throw new InvalidOperationException("the generator rejected the manifest: " + string.Join("; ", diagnostics));
        }

        var className = $"{Namespace}.{compiled.Manifest.ClassName}";
        var resource = (string)output.GetTypeByMetadataName(className)!.GetMembers("WeightsResourceName").OfType<IFieldSymbol>().Single().ConstantValue!;
        var blob = compiled.Blob.ToArray();
        using var pe = new MemoryStream();
        watch.Restart();
        var emit = output.Emit(pe, manifestResources: [new ResourceDescription(resource, () => new MemoryStream(blob), isPublic: true)]);
        var compile = watch.Elapsed;
        if (!emit.Success)
        {
            throw new InvalidOperationException("the generated code does not compile: " + string.Join("; ", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(10)));
        }

        var assembly = Assembly.Load(pe.ToArray());
        var type = assembly.GetType(className, throwOnError: true)!;
        var instance = Activator.CreateInstance(type, threads)!;
        var method = type.GetMethod("Run", [typeof(ReadOnlySpan<float>), typeof(Span<float>)])!;
        var run = method.CreateDelegate<ModelRun>(instance);

        var input = new float[(int)type.GetField("InputLength")!.GetValue(null)!];
        var result = new float[(int)type.GetField("OutputLength")!.GetValue(null)!];
        watch.Restart();
        run(input, result);
        var firstCall = watch.Elapsed;

        var generated = string.Concat(output.SyntaxTrees.Except(compilation.SyntaxTrees).Select(t => t.ToString()));
        var settling = JitSettling.Run(() => run(input, result));
        return new GeneratedModelBuild(run, System.Text.Encoding.UTF8.GetByteCount(generated), pe.Length - blob.Length, generate, compile, firstCall) { Instance = instance, Source = generated, Settling = settling };
    }

    private static ImmutableArray<MetadataReference> References() =>
    [
        .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)),
        MetadataReference.CreateFromFile(typeof(Sparsify.Runtime.LayerInfo).Assembly.Location),
    ];

    private sealed class InMemoryText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text);

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }

    private sealed class OptionsProvider(IReadOnlyDictionary<string, string> fileOptions) : AnalyzerConfigOptionsProvider
    {
        private static readonly Options None = new(new Dictionary<string, string>());

        public override AnalyzerConfigOptions GlobalOptions => None;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => None;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options(fileOptions);
    }

    private sealed class Options(IReadOnlyDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}
