extern alias Generator;

using Generator::Sparsify.Generators;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Sparsify.Generators.Tests;

/// <summary>An AdditionalFiles item held in memory.</summary>
internal sealed class MemoryAdditionalText(string path, string text) : AdditionalText
{
    private readonly SourceText _text = SourceText.From(text);

    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
}

/// <summary>Analyzer options from dictionaries: global ones and per additional file.</summary>
internal sealed class DictionaryOptions(IReadOnlyDictionary<string, string> values) : AnalyzerConfigOptions
{
    public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
}

internal sealed class OptionsProvider(IReadOnlyDictionary<string, string> global, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> perFile) : AnalyzerConfigOptionsProvider
{
    private static readonly DictionaryOptions Empty = new(new Dictionary<string, string>());

    public override AnalyzerConfigOptions GlobalOptions { get; } = new DictionaryOptions(global);

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Empty;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
        perFile.TryGetValue(textFile.Path, out var values) ? new DictionaryOptions(values) : Empty;
}

/// <summary>Runs <see cref="SparsifyGenerator"/> the way the compiler does, on in-memory manifests.</summary>
internal static class GeneratorHarness
{
    public const string ManifestPath = "/project/obj/sparsify/Model.manifest";

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return [.. platform.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)),
            MetadataReference.CreateFromFile(typeof(Sparsify.Runtime.LayerInfo).Assembly.Location)];
    });

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    public static CSharpCompilation Compilation(string source = "namespace App { public static class Program { } }", bool allowUnsafe = true) =>
        CSharpCompilation.Create(
            "Consumer",
            [CSharpSyntaxTree.ParseText(source, ParseOptions)],
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: allowUnsafe, optimizationLevel: OptimizationLevel.Release, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>A driver over one manifest marked as Sparsify's, with the given metadata.</summary>
    public static GeneratorDriver Driver(string manifestText, string? ns = "App", string? resourceName = null, string path = ManifestPath) =>
        Driver(new MemoryAdditionalText(path, manifestText), ns, resourceName);

    /// <summary>Runs the generator once with extra build properties (<c>build_property.*</c> keys) and returns its result.</summary>
    public static GeneratorDriverRunResult RunWithProperties(string manifestText, IReadOnlyDictionary<string, string> properties)
    {
        var global = new Dictionary<string, string>(properties) { ["build_property.RootNamespace"] = "Consumer" };
        var metadata = new Dictionary<string, string> { ["build_metadata.AdditionalFiles.SparsifyManifest"] = "true", ["build_metadata.AdditionalFiles.SparsifyNamespace"] = "App" };
        var options = new OptionsProvider(global, new Dictionary<string, IReadOnlyDictionary<string, string>> { [ManifestPath] = metadata });
        var driver = CSharpGeneratorDriver.Create([new SparsifyGenerator().AsSourceGenerator()], [new MemoryAdditionalText(ManifestPath, manifestText)], ParseOptions, options);
        return driver.RunGenerators(Compilation()).GetRunResult();
    }

    /// <summary>A driver over <paramref name="manifest"/> marked as Sparsify's, with the given metadata.</summary>
    public static GeneratorDriver Driver(AdditionalText manifest, string? ns = "App", string? resourceName = null)
    {
        var path = manifest.Path;
        var metadata = new Dictionary<string, string> { ["build_metadata.AdditionalFiles.SparsifyManifest"] = "true" };
        if (ns is not null)
        {
            metadata["build_metadata.AdditionalFiles.SparsifyNamespace"] = ns;
        }

        if (resourceName is not null)
        {
            metadata["build_metadata.AdditionalFiles.SparsifyResourceName"] = resourceName;
        }

        var options = new OptionsProvider(
            new Dictionary<string, string> { ["build_property.RootNamespace"] = "Consumer" },
            new Dictionary<string, IReadOnlyDictionary<string, string>> { [path] = metadata });
        return CSharpGeneratorDriver.Create(
            [new SparsifyGenerator().AsSourceGenerator()],
            [manifest],
            ParseOptions,
            options,
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
    }

    /// <summary>Runs the generator once and returns the driver's result and the compilation with the generated code.</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(string manifestText, string? ns = "App", bool allowUnsafe = true)
    {
        var driver = Driver(manifestText, ns).RunGeneratorsAndUpdateCompilation(Compilation(allowUnsafe: allowUnsafe), out var output, out _);
        return (driver.GetRunResult(), output);
    }
}
