extern alias Generator;

using Generator::Sparsify.Generators.Emission;
using Generator::Sparsify.Generators.Model;
using Generator::Sparsify.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Sparsify.Core.Execution;
using Sparsify.Core.Onnx;
using Sparsify.Runtime;

namespace Sparsify.Generators.Tests;

/// <summary>
/// Model files are untrusted: names, the model name and the planner's reasons are model text and must reach
/// generated code only through the escaping of their context (string literal, comment, XML doc) or as
/// identifiers from a restricted alphabet. These tests use names made of every character class that could
/// end a literal, a comment or a line, or start a directive.
/// </summary>
[TestClass]
public sealed class ModelTextEscapingTests
{
    /// <summary>Names a model file can hold, each hostile in its own way.</summary>
    private static readonly string[] HostileNames =
    [
        "conv2\");}}static/**/void/**/M(){System.Console.WriteLine(\"INJECTED:\"+System.Environment.UserName);}//",
        "quote\"back\\slash\\",
        "*/end-of-block/*",
        "</summary><c>&amp;</c>",
        "#error_directive",
        "{0}{brace}",
        "\\u0022escaped\\u000a",
        "'apostrophe'@\"verbatim",
        "ünïcødé_层",
        "emoji😀",
        "<!--xml-comment-->",
        "$\"{interpolated}\"",
        "//line/comment",
        "#pragma_warning_disable",
        "a,b;c(d)[e]",
        "tab-less\\t\\r\\n",
        "with space",
        "new\nline\r\nand\ttab",
        "separators\u0085\u2028\u2029",
        "controls\u000b\u000c\u0000\u001b",
        "bidi\u202eesrever\u202c-zero\u200bwidth",
        "percent%20%",
    ];

    /// <summary>Characters the manifest's name tokens never hold raw (they travel as %XX), but a hand-edited manifest can.</summary>
    private static readonly string[] LineBreakers = ["\r", "\u0085", "\u2028", "\u2029", "\u000b", "\u000c", "\u0000", "\u202e", "\u200b"];

    [TestMethod]
    public void HostileNamesFromAModelFileCompileRunAndRoundTrip()
    {
        var rename = Renamer(HostileNames);

        // Through the ONNX file format, as a user's model arrives.
        var graph = OnnxModel.Load(OnnxModel.ToBytes(TestModels.Residual(rename: rename)));
        var compiled = TestModels.CompileResidual(graph, rename);
        Assert.IsTrue(compiled.Plans.Any(p => p.Execution == Runtime.Manifests.LayerExecution.SparseUnrolled), "an unrolled layer carries its name into a string literal");
        var console = Console.Out;
        var printed = new StringWriter();
        Console.SetOut(printed);
        float[] actual;
        try
        {
            using var generated = GeneratedModel.Build(compiled, threads: 2);
            actual = generated.Run(CompileAndRunTests.Input(64, seed: 5));
            Assert.AreEqual(rename("Residual"), generated.Static("ModelName"));
            var layers = (IReadOnlyList<LayerInfo>)generated.Static("Layers")!;
            CollectionAssert.AreEqual(graph.Layers.Select(l => l.Name).ToArray(), layers.Select(l => l.Name).ToArray());
            Assert.IsTrue(layers.All(l => l.Name.EndsWith(HostileNames[0], StringComparison.Ordinal)), "every name carries the injection attempt");
            Assert.IsFalse(generated.Type.GetMethods(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public).Any(m => m.Name == "M"));
        }
        finally
        {
            Console.SetOut(console);
        }

        Assert.AreEqual(string.Empty, printed.ToString());
        // The compiler pruned the imported graph in place: the reference runs the same weights.
        CompileAndRunTests.AssertClose(new ReferenceExecutor(graph).Run(CompileAndRunTests.Input(64, seed: 5)), actual);
    }

    [TestMethod]
    public void NamesTheFormatCannotCarryAreRefusedAtTheirLine()
    {
        var text = TestModels.CompileResidual(TestModels.Residual()).ManifestText;
        foreach (var breaker in LineBreakers)
        {
            foreach (var key in new[] { "layer conv2a", "  output conv2a", "input input", "model Residual", "  inputs relu2a", "  kernel" })
            {
                var at = text.IndexOf("\n" + key, StringComparison.Ordinal) + 1;
                Assert.IsGreaterThan(0, at, key);
                var tampered = text.Insert(at + key.Length, breaker + "x");
                var (result, _) = GeneratorHarness.Run(tampered);
                var id = CodeOf(breaker);
                Assert.IsTrue(result.Diagnostics.Any(d => d.Id == "SPRS2003"), $"{key} + {id}: {string.Join("; ", result.Diagnostics)}");
                Assert.IsEmpty(result.GeneratedTrees, $"{key} + {id}: no code from a refused manifest");
            }
        }
    }

    /// <summary>
    /// The emitter on its own, with names holding every character class, including those the parser refuses:
    /// the generated code has exactly the tokens, lines and directives of the same model with plain names, so
    /// no emitted line depends on unescaped model text.
    /// </summary>
    [TestMethod]
    public void EmittedCodeHasTheSameStructureWhateverTheNames()
    {
        var manifest = TestModels.CompileResidual(TestModels.Residual()).ManifestText;
        var parsed = ManifestParsing.Parse(new ManifestFile(GeneratorHarness.ManifestPath, manifest, "App", string.Empty), CancellationToken.None);
        var plain = parsed.Model ?? throw new InvalidOperationException(string.Join("\n", parsed.Diagnostics));
        var hostile = Rename(plain, Renamer(HostileNames));

        var plainCode = ModelEmitter.Emit(plain);
        var hostileCode = ModelEmitter.Emit(hostile);
        Assert.AreNotEqual(plainCode, hostileCode);
        Assert.AreEqual(plainCode.Split('\n').Length, hostileCode.Split('\n').Length, "a name added or removed a line");

        // Doc comments as XML, checked by the parser; then as plain comments, to compare the code's tokens.
        var diagnose = GeneratorHarness.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);
        Assert.IsEmpty(CSharpSyntaxTree.ParseText(hostileCode, diagnose).GetDiagnostics(), "the hostile names' code parses, doc comments included");
        var flat = GeneratorHarness.ParseOptions.WithDocumentationMode(DocumentationMode.None);
        var expected = Structure(CSharpSyntaxTree.ParseText(plainCode, flat));
        var actual = Structure(CSharpSyntaxTree.ParseText(hostileCode, flat));
        Assert.HasCount(expected.Count, actual);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.AreEqual(expected[i], actual[i], $"token {i}");
        }
    }

    [TestMethod]
    [DataRow("plain", "plain")]
    [DataRow("a\"b\\c", "\"a\\\"b\\\\c\"")]
    [DataRow("\u2028\u0085\r\n", "\"\\u2028\\u0085\\u000d\\u000a\"")]
    [DataRow("层😀", "\"\\u5c42\\ud83d\\ude00\"")]
    public void StringLiteralsHoldOnlyPrintableAscii(string value, string literal)
    {
        if (value == "plain")
        {
            Assert.AreEqual("\"plain\"", Literals.String(value));
            return;
        }

        Assert.AreEqual(literal, Literals.String(value));
        var token = SyntaxFactory.ParseToken(Literals.String(value));
        Assert.AreEqual(value, token.ValueText);
    }

    [TestMethod]
    public void CommentsKeepReadableTextAndEscapeWhatCouldEndOrReorderTheLine()
    {
        Assert.AreEqual("conv 1: ünï层😀 */ </summary>", Literals.Comment("conv 1: ünï层😀 */ </summary>"));
        Assert.AreEqual("a\\u2028b\\u202ec\\u000ad\\u00a0e\\ud800", Literals.Comment("a\u2028b\u202ec\nd\u00a0e\ud800"));
        Assert.AreEqual("&lt;/summary&gt;&amp;\\u2029", Literals.XmlDoc("</summary>&\u2029"));
    }

    /// <summary>
    /// Each distinct name gets the next hostile name in front and the first (the injection attempt) behind,
    /// the original name between them keeping names distinct.
    /// </summary>
    private static Func<string, string> Renamer(string[] names)
    {
        var map = new Dictionary<string, string>();
        return name =>
        {
            if (!map.TryGetValue(name, out var renamed))
            {
                renamed = names[map.Count % names.Length] + name + names[0];
                map[name] = renamed;
            }

            return renamed;
        };
    }

    private static ModelSpec Rename(ModelSpec model, Func<string, string> rename) => model with
    {
        Manifest = model.Manifest with
        {
            Model = rename(model.ModelName),
            Inputs = model.Inputs.Select(v => v with { Name = rename(v.Name) }).ToEquatableList(),
            Outputs = model.Outputs.Select(v => v with { Name = rename(v.Name) }).ToEquatableList(),
            Layers = model.Layers.Select(l => l with
            {
                Name = rename(l.Name),
                Inputs = l.Inputs.Select(rename).ToEquatableList(),
                Output = rename(l.Output),
                Reason = l.Reason + rename("reason of " + l.Name),
            }).ToEquatableList(),
            Execution = model.Manifest.Execution with
            {
                Steps = model.Manifest.Execution.Steps.Select(s => s with
                {
                    Layer = rename(s.Layer),
                    Fused = s.Fused.Select(rename).ToEquatableList(),
                    Output = rename(s.Output),
                    Residual = s.Residual is null ? null : rename(s.Residual),
                    Feeds = s.Feeds is null ? null : rename(s.Feeds),
                    Companion = s.Companion is null ? null : rename(s.Companion),
                    RunsWith = s.RunsWith is null ? null : rename(s.RunsWith),
                }).ToEquatableList(),
                Values = model.Manifest.Execution.Values.Select(v => v with { Value = rename(v.Value) }).ToEquatableList(),
            },
        },
    };

    /// <summary>
    /// Every token's kind, and its text unless it is an identifier or a string literal (which names may
    /// shape), with the kinds of its trivia: comments may differ in text, never in number or kind.
    /// </summary>
    private static List<string> Structure(SyntaxTree tree) =>
        tree.GetRoot().DescendantTokens(descendIntoTrivia: true).Select(t =>
            $"{t.Kind()} {(t.IsKind(SyntaxKind.IdentifierToken) || t.IsKind(SyntaxKind.StringLiteralToken) ? string.Empty : t.Text)}"
            + $" [{string.Join(",", t.LeadingTrivia.Select(x => x.Kind()))}|{string.Join(",", t.TrailingTrivia.Select(x => x.Kind()))}]").ToList();

    private static string CodeOf(string text) => string.Concat(text.Select(c => $"U+{(int)c:X4}"));
}
