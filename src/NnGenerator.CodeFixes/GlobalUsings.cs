// What every code fix in this assembly uses: the code-fix API, C# syntax, MEF export and the diagnostic ids.
global using System.Collections.Immutable;
global using System.Composition;
global using System.Threading.Tasks;
global using Microsoft.CodeAnalysis;
global using Microsoft.CodeAnalysis.CodeActions;
global using Microsoft.CodeAnalysis.CodeFixes;
global using Microsoft.CodeAnalysis.CSharp;
global using Microsoft.CodeAnalysis.CSharp.Syntax;
global using NnGen.Generator.Diagnostics;
