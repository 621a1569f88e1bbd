# fish completion for kmod
functions -q __modtool_modules; or source (status dirname)/modtool-functions.fish

function __modtool_closure_argument
    __modtool_module_or_file b basedir k set-version
    string match -q -- '*/*' (commandline -ct); or __modtool_module_files --no-dirs
end

set -l commands help list static-nodes closure

complete -c kmod -f
complete -c kmod -n "not __fish_seen_subcommand_from $commands" -s V -l version -d 'Show version'
complete -c kmod -n "not __fish_seen_subcommand_from $commands" -s h -l help -d 'Show help'
complete -c kmod -n "not __fish_seen_subcommand_from $commands" -a help -d 'Show the help message'
complete -c kmod -n "not __fish_seen_subcommand_from $commands" -a list -d 'List the loaded modules'
complete -c kmod -n "not __fish_seen_subcommand_from $commands" -a static-nodes \
    -d 'Print the static device nodes of the running kernel'
complete -c kmod -n "not __fish_seen_subcommand_from $commands" -a closure \
    -d 'List the module and firmware files an initramfs needs for modules'
complete -c kmod -n '__fish_seen_subcommand_from static-nodes' -s f -l format -x -d 'Output format' \
    -a 'human\t"A human readable format (default)" tmpfiles\t"The tmpfiles.d(5) format" devname\t"The modules.devname format"'
complete -c kmod -n '__fish_seen_subcommand_from static-nodes' -s o -l output -r -F -d 'Write the output to FILE'
complete -c kmod -n '__fish_seen_subcommand_from static-nodes' -s h -l help -d 'Show help'
complete -c kmod -n '__fish_seen_subcommand_from list' -s s -l syslog -d 'Print to syslog, not stderr'
complete -c kmod -n '__fish_seen_subcommand_from list' -s v -l verbose -d 'More messages'
complete -c kmod -n '__fish_seen_subcommand_from list' -l json -d 'Print one JSON document'
complete -c kmod -n '__fish_seen_subcommand_from list' -s V -l version -d 'Show version'
complete -c kmod -n '__fish_seen_subcommand_from list' -s h -l help -d 'Show help'
complete -c kmod -n '__fish_seen_subcommand_from closure' -l loaded -d 'The modules of /proc/modules too'
complete -c kmod -n '__fish_seen_subcommand_from closure' -l devices \
    -d 'The modules of the modaliases under /sys/devices too'
complete -c kmod -n '__fish_seen_subcommand_from closure' -l json -d 'Print one JSON document'
complete -c kmod -n '__fish_seen_subcommand_from closure' -s 0 -l null -d 'Use \0 instead of \n'
complete -c kmod -n '__fish_seen_subcommand_from closure' -s C -l config -r -F \
    -d 'Configuration file or directory instead of the default'
complete -c kmod -n '__fish_seen_subcommand_from closure' -s k -l set-version -x \
    -d 'Kernel version instead of uname -r' -a '(__modtool_versions b basedir k set-version)'
complete -c kmod -n '__fish_seen_subcommand_from closure' -s b -l basedir -x \
    -d 'Filesystem root for /lib/modules and /lib/firmware' -a '(__fish_complete_directories)'
complete -c kmod -n '__fish_seen_subcommand_from closure' -s h -l help -d 'Show help'
complete -c kmod -n '__fish_seen_subcommand_from closure' -a '(__modtool_closure_argument)'
