using System.Diagnostics;
using CsCheck;

namespace Sparsify.Fuzz.Tests;

/// <summary>
/// Runs a harness. By default over a fixed series of inputs (the same on every run, so CI is deterministic);
/// <c>SPARSIFY_FUZZ_ITERATIONS</c> sets how many, and <c>SPARSIFY_FUZZ_RANDOM=1</c> draws fresh inputs on
/// every core instead (the long run of docs/security.md). A finding is shrunk by CsCheck from its seed and
/// reported with the smallest failing mutation and the seed that reproduces it.
/// </summary>
internal static class FuzzRunner
{
    /// <summary>The generator of mutations: a seed from the corpus and a script of 1 to 24 words.</summary>
    public static readonly Gen<Mutation> Mutations = Gen.Select(Gen.Int[0, 1 << 20], Gen.UInt.Array[1, 24], (seed, words) => new Mutation(seed, words));

    public static void Run<T>(string name, int iterations, Func<Mutation, T> mutate, Func<T, Outcome> target)
    {
        iterations = int.TryParse(Environment.GetEnvironmentVariable("SPARSIFY_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : iterations;
        void Check(Mutation m) => target(mutate(m));
        var clock = Stopwatch.StartNew();
        if (Environment.GetEnvironmentVariable("SPARSIFY_FUZZ_RANDOM") == "1")
        {
            Mutations.Sample(Check, iter: iterations, writeLine: Console.WriteLine);
            Console.WriteLine($"{name}: {iterations:N0} random executions in {clock.Elapsed.TotalSeconds:F1} s, no finding");
            return;
        }

        var counts = new Dictionary<Outcome, int>();
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < iterations; i++)
        {
            var pcg = new PCG(7, (ulong)i);
            var seed = pcg.ToString();
            var input = Mutations.Generate(pcg, null, out _);
            var started = clock.Elapsed;
            Outcome outcome;
            try
            {
                outcome = target(mutate(input));
            }
            catch (Exception e)
            {
                Assert.Fail($"{name}: input {i} ({input}, seed {seed}) threw {e.GetType().Name}: {e.Message}\n{Shrunk(Check, seed)}\n{e}");
                return;
            }

            counts[outcome] = counts.GetValueOrDefault(outcome) + 1;
            slowest = TimeSpan.FromTicks(Math.Max(slowest.Ticks, (clock.Elapsed - started).Ticks));
        }

        // Printed for the record (docs/security.md); the counts guard against a harness that refuses everything.
        Console.WriteLine($"{name}: {iterations:N0} executions in {clock.Elapsed.TotalSeconds:F1} s ({iterations / clock.Elapsed.TotalSeconds:N0}/s), "
            + $"accepted {counts.GetValueOrDefault(Outcome.Accepted):N0}, refused {counts.GetValueOrDefault(Outcome.Refused):N0}, slowest {slowest.TotalMilliseconds:F1} ms");
        Assert.IsGreaterThan(iterations / 100, counts.GetValueOrDefault(Outcome.Accepted), $"{name}: under 1% of the mutated inputs are accepted: the harness barely reaches past the first check");
        Assert.IsGreaterThan(iterations / 100, counts.GetValueOrDefault(Outcome.Refused), $"{name}: under 1% of the mutated inputs are refused: the mutations barely change anything");
    }

    // CsCheck continues from the failing seed and looks for smaller scripts that fail too.
    private static string Shrunk(Action<Mutation> check, string seed)
    {
        try
        {
            Mutations.Sample(check, seed: seed, iter: 20_000, threads: 1);
            return "(the failure did not repeat when shrinking)";
        }
        catch (Exception e)
        {
            return "shrunk: " + e.Message;
        }
    }
}
