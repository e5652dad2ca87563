import ArgumentParser
import DuetProject
import Foundation

struct QualityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quality",
        abstract: "How good a task's labels are: the audit estimate with its interval, the machine's calibration, the alt-test, the people.",
        discussion: """
        The accuracy of the machine-kept labels is estimated from the blind audits (inverse-probability weighted when \
        they were drawn by uncertainty, else prediction-powered inference, PPI++, stratified by the router's uncertainty), \
        with its 95% interval, the raw audits' Wilson interval beside it and how many more audits would halve its width; \
        then the whole exported set's. Calibration compares the machine's confidence with people's labels (reliability \
        bins, ECE, Brier, risk–coverage); the alt-test asks, on items with two or more people, whether the machine agrees \
        with people as well as a held-out person does. People: each person's accuracy on gold items with its 95% interval, \
        too-fast answers, the machine's suggestions taken beside agreement on blind audits. docs/estimates.md has every definition.
        Examples:
          duet quality --task sentiment
          duet quality --task sentiment --json --svg calibration.svg
        """)
    @OptionGroup var projectOptions: ProjectOptions
    @Option(help: "The task.") var task: String?
    @Flag(help: "Print JSON (audit, calibration, alt_test, people).") var json = false
    @Option(help: ArgumentHelp("Also write the reliability diagram and risk–coverage curve as an SVG file.", valueName: "file")) var svg: String?

    func run() async throws {
        let project = try await projectOptions.open(.readOnly)
        if let svg { try PlanWorkflow.checkSVGPath(svg, project: project) }  // before the work, not after
        let estimates = try await EstimatesWorkflow.run(task: task, project: project)
        if let svg {
            try EstimatesWorkflow.writeSVG(estimates, to: svg, project: project)
            Console.note("wrote \(svg)")
        }
        if json {
            try Console.json(encoding: estimates)
            return
        }
        for line in estimates.text { Console.out(line) }
    }
}
