using System.Collections.Generic;
using System.Linq;
using NnGen.Generator.Tests.Infrastructure;

namespace NnGen.Generator.Tests.Emit;

/// <summary>Declarations whose generated code must build cleanly and deterministically: the catalogue plus awkward shapes.</summary>
internal static class EmitScenarios
{
    public const string GenericNetwork = """
        using NnGen;

        namespace Demo.Generic;

        [Network(Inputs = 2)]
        [Layer(3, Activation.Tanh)]
        [Layer(1, Activation.Sigmoid)]
        public partial class GenericNet<TTag> where TTag : notnull { }
        """;

    public const string GenericNestedInGeneric = """
        using NnGen;

        namespace Demo.Generic
        {
            public partial class Outer<T> where T : struct
            {
                [Network(Inputs = 2)]
                [Layer(2, Activation.ReLU)]
                [Layer(1, Activation.Linear)]
                public partial class Net<TOther> { }
            }
        }
        """;

    public const string Record = """
        using NnGen;

        namespace Demo.Records;

        [Network(Inputs = 3)]
        [Layer(4, Activation.LeakyReLU)]
        [Layer(2, Activation.Sigmoid)]
        public sealed partial record RecordNet { }
        """;

    /// <summary>Types named System, NnGen, Math, Span… beside and inside the network: only global:: names survive this.</summary>
    public const string ShadowingNames = """
        using NnGen;

        namespace Company.System
        {
            public class System { }

            public class NnGen { }

            public class Math { }

            public class ArgumentNullException { }

            public class Span<T> { }

            public class ReadOnlySpan<T> { }

            public class Vector512 { }

            public class ShadowBase
            {
                protected int TinyKernels => 0;

                protected static void MemoryMarshal() { }
            }

            [Network(Inputs = 2)]
            [Layer(4, Activation.Tanh)]
            [Layer(1, Activation.Sigmoid)]
            public partial class ShadowNet : ShadowBase
            {
                private sealed class Guard { }

                private sealed class Kernels { }

                private static int VectorMath => 0;
            }
        }

        namespace Company.NnGen
        {
            public class Workspace { }

            [Network(Inputs = 2, Loss = global::NnGen.Loss.MeanSquaredError)]
            [Layer(3, global::NnGen.Activation.ReLU)]
            [Layer(2, global::NnGen.Activation.Linear)]
            public partial class ShadowNet { }
        }
        """;

    /// <summary>
    /// A network in the global namespace whose compilation imports, by a global using, types named as the runtime's and
    /// the framework's: generated code must not become ambiguous with its own using directives.
    /// </summary>
    public const string GlobalUsingShadows = """
        global using Conflicts;
        global using NnGen;

        namespace Conflicts
        {
            public static class Vector512 { }

            public sealed class Trainer { }

            public sealed class MemoryMarshal { }
        }

        [Network(Inputs = 3)]
        [Layer(5, Activation.ReLU)]
        [Layer(2, Activation.Sigmoid)]
        public partial class GlobalShadowNet { }
        """;

    /// <summary>Scenario name → (sources, number of generated files).</summary>
    public static IReadOnlyDictionary<string, (string[] Sources, int Files)> All { get; } = Build();

    private static Dictionary<string, (string[] Sources, int Files)> Build()
    {
        var scenarios = TestArchitecture.All.ToDictionary(architecture => architecture.Name, architecture => (new[] { architecture.Source() }, 1));
        scenarios.Add(nameof(GenericNetwork), ([GenericNetwork], 1));
        scenarios.Add(nameof(GenericNestedInGeneric), ([GenericNestedInGeneric], 1));
        scenarios.Add(nameof(Record), ([Record], 1));
        scenarios.Add(nameof(ShadowingNames), ([ShadowingNames], 2));
        scenarios.Add(nameof(GlobalUsingShadows), ([GlobalUsingShadows], 1));
        scenarios.Add("AllCatalogueNetworksTogether", (TestArchitecture.All.Select(architecture => architecture.Source()).ToArray(), TestArchitecture.All.Count));
        return scenarios;
    }
}
