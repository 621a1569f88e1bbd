# fish completion for modprobe
functions -q __modtool_modules; or source (status dirname)/modtool-functions.fish

function __modtool_modprobe_argument
    if __fish_seen_argument -l show-modversions -l dump-modversions -l show-exports
        __modtool_module_or_file d dirname S set-version
    else if __fish_seen_argument -s c -l showconfig -l show-config
        return
    else if __fish_seen_argument -s r -l remove -l remove-holders -l remove-dependencies
        __modtool_loaded
    else if __fish_seen_argument -s a -l all
        or test (__modtool_positionals -C --config -d --dirname -S --set-version -w --wait) = 0
        __modtool_module_or_file d dirname S set-version
    end
end

complete -c modprobe -f
complete -c modprobe -s a -l all -d 'Take every argument as a module name'
complete -c modprobe -s r -l remove -d 'Remove modules instead of inserting them'
complete -c modprobe -l remove-dependencies -d 'Deprecated: use --remove-holders'
complete -c modprobe -l remove-holders -d 'Also remove the holders of the modules (implies -r)'
complete -c modprobe -s w -l wait -x -d "Wait up to MSEC for the module's refcount to drop to 0"
complete -c modprobe -s R -l show-alias -d 'Only look up and print the aliases'
complete -c modprobe -l resolve-alias -d 'Same as --show-alias'
complete -c modprobe -l first-time -d 'Fail if the module is already inserted or removed'
complete -c modprobe -s i -l ignore-install -d 'Ignore install commands'
complete -c modprobe -l ignore-remove -d 'Ignore remove commands'
complete -c modprobe -s b -l use-blacklist -d 'Apply the blacklist to the resolved aliases'
complete -c modprobe -s f -l force -d 'Force the insertion or removal'
complete -c modprobe -l force-modversion -d "Ignore the module's version"
complete -c modprobe -l force-vermagic -d "Ignore the module's version magic"
complete -c modprobe -s D -l show-depends -d 'Only print the dependencies'
complete -c modprobe -s c -l showconfig -d 'Print the configuration'
complete -c modprobe -l show-config -d 'Print the configuration'
complete -c modprobe -l show-modversions -d "Print the module's symbol versions"
complete -c modprobe -l dump-modversions -d "Print the module's symbol versions"
complete -c modprobe -l show-exports -d "Print the module's exported symbol versions"
complete -c modprobe -l json -d 'With -D or -c: print one JSON document'
complete -c modprobe -s n -l dry-run -d 'Do not act, only print'
complete -c modprobe -l show -d 'Do not act, only print'
complete -c modprobe -s C -l config -r -F -d 'Configuration file or directory'
complete -c modprobe -s d -l dirname -x -d 'Filesystem root for /lib/modules' \
    -a '(__fish_complete_directories)'
complete -c modprobe -s S -l set-version -x -d 'Kernel version instead of uname -r' \
    -a '(__modtool_versions d dirname S set-version)'
complete -c modprobe -s s -l syslog -d 'Print to syslog, not stderr'
complete -c modprobe -s q -l quiet -d 'Disable messages'
complete -c modprobe -s v -l verbose -d 'More messages'
complete -c modprobe -s V -l version -d 'Show version'
complete -c modprobe -s h -l help -d 'Show help'
complete -c modprobe -a '(__modtool_modprobe_argument)'
